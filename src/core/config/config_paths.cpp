// JSON pointers ↔ human field paths, locating a pointer in the YAML text, and the nearest
// known key for "did you mean".

#include <algorithm>
#include <numeric>

#include "config_internal.hpp"

namespace coltec::config_detail {
namespace {

std::string escape(const std::string& key) {
  std::string out;
  out.reserve(key.size());
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(const std::string& token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

std::string parent_of(const std::string& pointer) {
  const auto slash = pointer.rfind('/');
  return slash == std::string::npos ? std::string() : pointer.substr(0, slash);
}

}  // namespace

std::string child_pointer(const std::string& parent, const std::string& key) {
  return parent + "/" + escape(key);
}

std::string child_pointer(const std::string& parent, std::size_t index) {
  return parent + "/" + std::to_string(index);
}

std::vector<std::string> split_pointer(const std::string& pointer) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    const auto slash = pointer.find('/', start);
    const auto end = slash == std::string::npos ? pointer.size() : slash;
    out.push_back(unescape(pointer.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

const nlohmann::json* find_node(const nlohmann::json& root, const std::string& pointer) {
  const nlohmann::json* node = &root;
  for (const auto& token : split_pointer(pointer)) {
    if (node->is_object()) {
      const auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      const auto index = static_cast<std::size_t>(std::strtoull(token.c_str(), nullptr, 10));
      if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos ||
          index >= node->size()) {
        return nullptr;
      }
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

bool valid_action_name(const std::string& name) {
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  };
  return !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), ok);
}

bool valid_remote_name(const std::string& name) {
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_.-+@").find(c) != std::string_view::npos;
  };
  return !name.empty() && name.size() <= 64 && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), ok);
}

namespace {

constexpr std::size_t k_max_plain_word = 24;

bool plain_word(std::string_view text) {
  if (text.empty() || text.size() > k_max_plain_word || text.front() < 'a' || text.front() > 'z') {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_' || c == '-'; });
}

}  // namespace

bool showable(std::string_view text, const std::vector<std::string>& known) {
  if (plain_word(text) || is_schema_word(text)) return true;
  if (std::find(known.begin(), known.end(), text) != known.end()) return true;
  return !nearest(text, known).empty();
}

bool shown_name(const std::string& name, bool valid) {
  constexpr std::size_t k_max_shown_name = 16;
  return showable(name) || (valid && name.size() <= k_max_shown_name);
}

bool shown_key(const std::string& parent_pointer, const std::string& key) {
  if (showable(key)) return true;
  return parent_pointer == "/persistence/remotes" && shown_name(key, valid_remote_name(key));
}

std::string display_path(const nlohmann::json& root, const std::string& pointer,
                         bool last_key_shown) {
  std::string out;
  std::string parent;
  const nlohmann::json* node = &root;
  const auto tokens = split_pointer(pointer);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& token = tokens[i];
    if (node != nullptr && node->is_array()) {
      out += "[" + token + "]";
      const auto index = static_cast<std::size_t>(std::strtoull(token.c_str(), nullptr, 10));
      node = index < node->size() ? &(*node)[index] : nullptr;
      parent = child_pointer(parent, token);
      continue;
    }
    const bool shown = shown_key(parent, token) || (last_key_shown && i + 1 == tokens.size());
    out += (out.empty() ? "" : ".") + (shown ? token : std::string("<key>"));
    if (node != nullptr && node->is_object()) {
      const auto it = node->find(token);
      node = it == node->end() ? nullptr : &*it;
    } else {
      node = nullptr;
    }
    parent = child_pointer(parent, token);
  }
  return out;
}

// Containers are located at the key that names them ("persistence:"), scalars at their
// value; a pointer that does not exist (a missing key) at its nearest existing ancestor.
Loc locate(const Document& doc, const Issue& issue) {
  std::string pointer = issue.pointer;
  if (issue.at_key) {
    if (const auto it = doc.keys.find(pointer); it != doc.keys.end()) return it->second;
  }
  while (true) {
    const nlohmann::json* node = find_node(doc.root, pointer);
    if (node != nullptr && (node->is_object() || node->is_array())) {
      if (const auto it = doc.keys.find(pointer); it != doc.keys.end()) return it->second;
    }
    if (const auto it = doc.values.find(pointer); it != doc.values.end()) return it->second;
    if (pointer.empty()) return Loc{1, 1};
    pointer = parent_of(pointer);
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Keys are short; anything long is not a typo of a known key.
  if (a.size() > 64 || b.size() > 64) return std::max(a.size(), b.size());
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d <= allowed && (best.empty() || d < best_distance)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace coltec::config_detail
