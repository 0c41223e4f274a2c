// The child's environment, secret collection, redaction and display quoting.

#include <algorithm>
#include <array>

#include "rclone_command_internal.hpp"

namespace coltec {
namespace {

constexpr std::array<std::string_view, 7> k_kept_names = {"PATH", "HOME",   "USER", "LOGNAME",
                                                          "LANG", "TMPDIR", "TZ"};
constexpr std::array<std::string_view, 2> k_kept_prefixes = {"LC_", "XDG_"};

// What the AWS SDK reads for env_auth. AWS_CA_BUNDLE is deliberately absent: with it set,
// every s3 command of rclone 1.60 fails (LoadCustomCABundleError).
constexpr std::array<std::string_view, 13> k_aws_names = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_EC2_METADATA_DISABLED",
};

constexpr std::array<std::string_view, 3> k_aws_secret_names = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool kept(const std::string& name, bool pass_aws) {
  if (listed(k_kept_names, name)) return true;
  if (pass_aws && listed(k_aws_names, name)) return true;
  return std::any_of(k_kept_prefixes.begin(), k_kept_prefixes.end(),
                     [&](std::string_view p) { return name.starts_with(p); });
}

// Go's encoding/json form (rclone's JSON log): HTML-sensitive characters are escaped too.
std::string json_escaped(const std::string& value, bool escape_html) {
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n' || c == '\r' || c == '\t') {
      out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
    } else if (u < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
      constexpr std::string_view k_hex = "0123456789abcdef";
      out += "\\u00";
      out += k_hex[u >> 4];
      out += k_hex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

class SecretSet {
 public:
  void add(const std::string& value) {
    if (value.empty()) return;
    m_values.push_back(value);
    m_values.push_back(json_escaped(value, false));
    m_values.push_back(json_escaped(value, true));
  }
  void add_var(const EnvMap& env, const std::string& name) {
    if (const auto found = env.find(name); found != env.end()) add(found->second);
  }
  std::vector<std::string> take() && {
    std::sort(m_values.begin(), m_values.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    m_values.erase(std::unique(m_values.begin(), m_values.end()), m_values.end());
    return std::move(m_values);
  }

 private:
  std::vector<std::string> m_values;
};

void add_option_secrets(const RemoteDef& remote, const EnvMap& env, SecretSet& secrets) {
  for (const auto& [key, raw] : remote.options) {
    const bool secret_key = rclone_detail::looks_secret(key);
    if (secret_key) {
      auto expanded = rclone_detail::expand_vars(raw, env);
      secrets.add(expanded ? expanded.value().value : raw);
    }
    for (const auto& var : rclone_detail::referenced_vars(raw)) {
      if (secret_key || rclone_detail::looks_secret(var)) secrets.add_var(env, var);
    }
  }
}

bool needs_quotes(const std::string& word) {
  const auto safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
  };
  return word.empty() || !std::all_of(word.begin(), word.end(), safe);
}

}  // namespace

std::vector<std::string> child_environment(const EnvMap& daemon_env, bool pass_aws_credentials) {
  std::vector<std::string> out;
  for (const auto& [name, value] : daemon_env) {
    const bool malformed = name.empty() || name.find('=') != std::string::npos ||
                           name.find('\0') != std::string::npos ||
                           value.find('\0') != std::string::npos;
    if (malformed || !kept(name, pass_aws_credentials)) continue;
    std::string entry = name;
    entry += '=';
    entry += value;
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string> secret_values(const std::vector<RemoteDef>& remotes, const EnvMap& env,
                                       const std::map<std::string, std::string>& obscured) {
  SecretSet secrets;
  for (const auto& remote : remotes) {
    add_option_secrets(remote, env, secrets);
    if (remote.legacy) {
      for (const auto& [key, value] : rclone_detail::legacy_env_options(remote.name, env)) {
        if (rclone_detail::looks_secret(key)) secrets.add(value);
      }
    }
    if (!remote.crypt) continue;
    std::vector<std::string> vars{remote.crypt->password_env};
    if (remote.crypt->password2_env) vars.push_back(*remote.crypt->password2_env);
    for (const auto& var : vars) {
      secrets.add_var(env, var);
      if (const auto found = obscured.find(var); found != obscured.end())
        secrets.add(found->second);
    }
  }
  for (const auto name : k_aws_secret_names) secrets.add_var(env, std::string(name));
  return std::move(secrets).take();
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) {
    if (!out.empty()) out += ' ';
    if (!needs_quotes(word)) {
      out += word;
      continue;
    }
    out += '\'';
    for (const char c : word) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

}  // namespace coltec
