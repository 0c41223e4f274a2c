// The private rclone config file: ${VAR} expansion, legacy RCLONE_CONFIG_* pickup, crypt
// passwords, and the checks that keep a hostile value from rewriting the INI structure.

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "rclone_command_internal.hpp"

namespace coltec {
namespace rclone_detail {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool name_start(char c) {
  return is_alpha(c) || c == '_';
}
bool name_char(char c) {
  return name_start(c) || is_digit(c);
}

bool valid_var_name(std::string_view name) {
  return !name.empty() && name_start(name.front()) &&
         std::all_of(name.begin(), name.end(), name_char);
}

char lower_char(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
char upper_char(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

struct Piece {
  bool is_var = false;
  std::string text;  // literal text, or the variable name
};

// Never echoes the value: it may be a literal secret that happens to contain "${".
Result<std::vector<Piece>> tokenize(std::string_view text) {
  std::vector<Piece> out{Piece{}};
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '$' && next == '$') {
      out.back().text += '$';
      i += 2;
    } else if (c == '$' && next == '{') {
      const auto close = text.find('}', i + 2);
      const auto name = text.substr(i + 2, close == std::string_view::npos ? 0 : close - i - 2);
      if (close == std::string_view::npos || !valid_var_name(name)) {
        return make_error("has \"${\" without a variable name and \"}\" (write \"$$\" for '$')");
      }
      out.push_back(Piece{true, std::string(name)});
      out.push_back(Piece{});
      i = close + 1;
    } else if (c == '$' && name_start(next)) {
      std::size_t end = i + 1;
      while (end < text.size() && name_char(text[end])) ++end;
      out.push_back(Piece{true, std::string(text.substr(i + 1, end - i - 1))});
      out.push_back(Piece{});
      i = end;
    } else {
      out.back().text += c;
      ++i;
    }
  }
  return out;
}

}  // namespace

Result<Expanded> expand_vars(std::string_view text, const EnvMap& env) {
  auto pieces = tokenize(text);
  if (!pieces) return pieces.error();
  Expanded out;
  for (const auto& piece : pieces.value()) {
    if (!piece.is_var) {
      out.value += piece.text;
      continue;
    }
    const auto found = env.find(piece.text);
    if (found == env.end()) return make_error("environment variable " + piece.text + " is not set");
    if (found->second.empty())
      return make_error("environment variable " + piece.text + " is empty");
    out.value += found->second;
    out.vars.push_back(piece.text);
  }
  return out;
}

std::vector<std::string> referenced_vars(std::string_view text) {
  std::vector<std::string> out;
  auto pieces = tokenize(text);
  if (!pieces) return out;
  for (const auto& piece : pieces.value()) {
    if (piece.is_var) out.push_back(piece.text);
  }
  return out;
}

bool looks_secret(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), lower_char);
  constexpr std::array<std::string_view, 6> k_markers = {"key",   "secret",     "pass",
                                                         "token", "credential", "session"};
  return std::any_of(k_markers.begin(), k_markers.end(),
                     [&](std::string_view m) { return lower.find(m) != std::string::npos; });
}

std::map<std::string, std::string> legacy_env_options(const std::string& remote_name,
                                                      const EnvMap& env) {
  std::string prefix = "RCLONE_CONFIG_" + remote_name + "_";
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), upper_char);
  std::map<std::string, std::string> out;
  for (auto it = env.lower_bound(prefix); it != env.end() && it->first.starts_with(prefix); ++it) {
    std::string key = it->first.substr(prefix.size());
    if (key.empty() || key == "TYPE") continue;
    std::transform(key.begin(), key.end(), key.begin(), lower_char);
    out[key] = it->second;
  }
  return out;
}

}  // namespace rclone_detail

namespace {

using Options = std::map<std::string, std::string>;

bool valid_remote_name(const std::string& name) {
  const auto ok = [](char c) {
    return rclone_detail::name_char(c) || c == '.' || c == '-' || c == '+' || c == '@';
  };
  return !name.empty() && name.front() != '-' && std::all_of(name.begin(), name.end(), ok);
}

bool valid_key(const std::string& key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), rclone_detail::name_char);
}

// rclone's INI reader trims blanks and strips backtick or triple-quote wrapping, and a
// newline would start a new key or section: refuse what would not survive the round trip.
Status check_value(const std::string& value) {
  for (const char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return make_error("contains a control character (newline, tab, …)");
    }
  }
  if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) {
    return make_error("starts or ends with a blank, which rclone's config reader would drop");
  }
  if (!value.empty() && (value.front() == '"' || value.front() == '\'' || value.front() == '`')) {
    return make_error("starts with a quote or backtick, which rclone's config reader may strip");
  }
  return Unit{};
}

Result<std::string> crypt_password(const std::string& var, const char* field, const EnvMap& env,
                                   const Options& obscured) {
  const auto plain = env.find(var);
  if (plain == env.end() || plain->second.empty()) {
    return make_error(std::string(field) + ": environment variable " + var + " is not set");
  }
  const auto found = obscured.find(var);
  if (found == obscured.end() || found->second.empty()) {
    return make_error(std::string(field) + ": no obscured form of " + var +
                      " was given (obscure it with `rclone obscure -` first)");
  }
  return found->second;
}

Status add_crypt_options(const CryptConfig& crypt, const EnvMap& env, const Options& obscured,
                         Options& out) {
  auto password = crypt_password(crypt.password_env, "crypt.password_env", env, obscured);
  if (!password) return password.error();
  out["password"] = password.value();
  if (crypt.password2_env) {
    auto salt = crypt_password(*crypt.password2_env, "crypt.password2_env", env, obscured);
    if (!salt) return salt.error();
    out["password2"] = salt.value();
  } else {
    out.erase("password2");
  }
  out["filename_encryption"] = to_string(crypt.filename_encryption);
  out["directory_name_encryption"] = crypt.directory_name_encryption ? "true" : "false";
  return Unit{};
}

Result<Options> final_options(const RemoteDef& remote, const EnvMap& env, const Options& obscured) {
  Options out;
  for (const auto& [key, raw] : remote.options) {
    if (!valid_key(key) || key == "type") {
      return make_error("option '" + key + "' is not a valid rclone option name here");
    }
    auto expanded = rclone_detail::expand_vars(raw, env);
    if (!expanded) return make_error("option '" + key + "': " + expanded.error().message);
    out[key] = std::move(expanded).value().value;
  }
  if (remote.legacy) {
    for (auto& [key, value] : rclone_detail::legacy_env_options(remote.name, env)) {
      if (!valid_key(key)) return make_error("RCLONE_CONFIG_* key '" + key + "' is not valid");
      out[key] = value;
    }
  }
  if (remote.crypt) {
    if (auto added = add_crypt_options(*remote.crypt, env, obscured, out); !added) {
      return added.error();
    }
  }
  return out;
}

Result<std::string> render_section(const RemoteDef& remote, const EnvMap& env,
                                   const Options& obscured) {
  if (!valid_remote_name(remote.name)) {
    return make_error("remote name '" + remote.name +
                      "' may only hold letters, digits and _ . - + @ (not starting with -)");
  }
  const std::string where = "remote '" + remote.name + "' ";
  if (!valid_key(remote.type)) return make_error(where + "has an invalid type");
  auto options = final_options(remote, env, obscured);
  if (!options) return make_error(where + options.error().message);
  std::string text = "[" + remote.name + "]\ntype = " + remote.type + "\n";
  for (const auto& [key, value] : options.value()) {
    if (auto ok = check_value(value); !ok) {
      std::string message = where;
      message += "option '" + key + "' ";
      return make_error(message + ok.error().message);
    }
    text += key;
    text += " = ";
    text += value;
    text += '\n';
  }
  return text;
}

}  // namespace

Result<std::string> render_rclone_config(const std::vector<RemoteDef>& remotes, const EnvMap& env,
                                         const std::map<std::string, std::string>& obscured) {
  std::string out;
  for (const auto& remote : remotes) {
    auto section = render_section(remote, env, obscured);
    if (!section) return section.error();
    out += (out.empty() ? "" : "\n") + section.value();
  }
  return out;
}

std::vector<std::string> passwords_needed(const std::vector<RemoteDef>& remotes) {
  std::vector<std::string> out;
  for (const auto& remote : remotes) {
    if (!remote.crypt) continue;
    out.push_back(remote.crypt->password_env);
    if (remote.crypt->password2_env) out.push_back(*remote.crypt->password2_env);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool uses_env_auth(const std::vector<RemoteDef>& remotes) {
  return std::any_of(remotes.begin(), remotes.end(), [](const RemoteDef& remote) {
    const auto found = remote.options.find("env_auth");
    return found != remote.options.end() && (found->second == "true" || found->second == "True");
  });
}

}  // namespace coltec
