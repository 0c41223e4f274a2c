// health.json: what `status`, Docker health checks and people read. Parsing assumes the
// file may be broken or hostile: every field is type- and range-checked, nesting is bounded
// before parsing, and nothing throws past this file.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include <coltec/state.hpp>

#include "state_internal.hpp"

namespace coltec {

namespace {

using nlohmann::json;

constexpr std::size_t k_max_health_bytes = std::size_t{16} * 1024 * 1024;
constexpr int k_max_depth = 32;

json time_json(const std::optional<std::int64_t>& t) {
  return t ? json(format_rfc3339(*t)) : json(nullptr);
}

json action_json(const ActionHealth& a) {
  return json{{"name", a.name},
              {"direction", a.direction},
              {"last_result", a.last_result},
              {"last_error", a.last_error},
              {"last_success", time_json(a.last_success)},
              {"last_attempt", time_json(a.last_attempt)},
              {"next_run", time_json(a.next_run)},
              {"consecutive_failures", a.consecutive_failures},
              {"files", a.files},
              {"bytes", a.bytes},
              {"pending_changes", a.pending_changes},
              {"needs_attention", a.needs_attention},
              {"conflicts", a.conflicts},
              {"held_back_deletes", a.held_back_deletes},
              {"held_back_files", a.held_back_files},
              {"warnings", a.warnings}};
}

// Field readers: a missing key keeps the default; a present key must have the right type.
class Fields {
 public:
  Fields(const json& j, std::string where) : m_j(j), m_where(std::move(where)) {}

  void get(const char* key, bool& out) {
    if (const json* v = find(key)) {
      if (v->is_boolean())
        out = v->get<bool>();
      else
        fail(key, "must be true or false");
    }
  }
  void get(const char* key, std::string& out) {
    if (const json* v = find(key)) {
      if (v->is_string())
        out = v->get<std::string>();
      else if (!v->is_null())
        fail(key, "must be a string");
    }
  }
  void get(const char* key, std::vector<std::string>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return;
    const bool strings = v->is_array() && std::all_of(v->begin(), v->end(),
                                                      [](const json& e) { return e.is_string(); });
    if (!strings) return fail(key, "must be a list of strings");
    out = v->get<std::vector<std::string>>();
  }
  template <typename Int>
  void get(const char* key, Int& out) {
    const json* v = find(key);
    if (v == nullptr) return;
    std::uint64_t u = 0;
    if (v->is_number_unsigned()) {
      u = v->get<std::uint64_t>();
    } else if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
      u = static_cast<std::uint64_t>(v->get<std::int64_t>());
    } else {
      return fail(key, "must be a non-negative integer");
    }
    if (u > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) {
      return fail(key, "is out of range");
    }
    out = static_cast<Int>(u);
  }
  void time(const char* key, std::optional<std::int64_t>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return;
    if (v->is_number_integer()) {
      out = v->get<std::int64_t>();  // unix seconds, tolerated for hand-written files
    } else if (auto t = v->is_string() ? parse_rfc3339(v->get<std::string>())
                                       : Result<std::int64_t>(make_error("not a time"));
               t) {
      out = *t;
    } else {
      fail(key, "must be an RFC 3339 time like 2026-11-23T12:00:00Z or null");
    }
  }
  const std::string& error() const { return m_error; }

 private:
  const json* find(const char* key) const {
    const auto it = m_j.find(key);
    return it == m_j.end() ? nullptr : &*it;
  }
  void fail(const char* key, const char* what) {
    if (m_error.empty()) m_error = "field \"" + m_where + key + "\" " + what;
  }
  const json& m_j;
  std::string m_where;
  std::string m_error;
};

Result<ActionHealth> action_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) return make_error("field \"" + where + "\" must be an object");
  ActionHealth a;
  Fields f(j, where + ".");
  f.get("name", a.name);
  f.get("direction", a.direction);
  f.get("last_result", a.last_result);
  f.get("last_error", a.last_error);
  f.time("last_success", a.last_success);
  f.time("last_attempt", a.last_attempt);
  f.time("next_run", a.next_run);
  f.get("consecutive_failures", a.consecutive_failures);
  f.get("files", a.files);
  f.get("bytes", a.bytes);
  f.get("pending_changes", a.pending_changes);
  f.get("needs_attention", a.needs_attention);
  f.get("conflicts", a.conflicts);
  f.get("held_back_deletes", a.held_back_deletes);
  f.get("held_back_files", a.held_back_files);
  f.get("warnings", a.warnings);
  if (!f.error().empty()) return make_error(f.error());
  return a;
}

Status actions_from_json(const json& j, std::vector<ActionHealth>& out) {
  const auto it = j.find("actions");
  if (it == j.end() || it->is_null()) return Unit{};
  if (!it->is_array()) return make_error("field \"actions\" must be an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto a = action_from_json((*it)[i], "actions[" + std::to_string(i) + "]");
    if (!a) return a.error();
    out.push_back(std::move(a).value());
  }
  return Unit{};
}

// nlohmann's parser is iterative, but bounding depth first keeps any deep recursion
// (destruction, our walk) away from hostile input.
bool nesting_within(const std::string& text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

nlohmann::json to_json(const Health& h) {
  json actions = json::array();
  for (const auto& a : h.actions) actions.push_back(action_json(a));
  return json{{"healthy", h.healthy},
              {"last_success", time_json(h.last_success)},
              {"last_attempt", time_json(h.last_attempt)},
              {"consecutive_failures", h.consecutive_failures},
              {"last_error", h.last_error},
              {"pid", h.pid},
              {"workspace", h.workspace},
              {"actions", std::move(actions)}};
}

Result<Health> health_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error("health must be a JSON object");
  if (!j.contains("healthy")) return make_error("field \"healthy\" is missing");
  Health h;
  Fields f(j, "");
  f.get("healthy", h.healthy);
  f.time("last_success", h.last_success);
  f.time("last_attempt", h.last_attempt);
  f.get("consecutive_failures", h.consecutive_failures);
  f.get("last_error", h.last_error);
  f.get("pid", h.pid);
  f.get("workspace", h.workspace);
  if (!f.error().empty()) return make_error(f.error());
  if (auto actions = actions_from_json(j, h.actions); !actions) return actions.error();
  return h;
}

Result<Health> read_health(const std::string& path) {
  std::string text;
  if (!state_detail::read_small_file(path, k_max_health_bytes, text)) {
    return make_error("cannot read " + path + ": " + state_detail::os_reason(errno));
  }
  if (!nesting_within(text, k_max_depth)) {
    return make_error(path + " is not valid health JSON: nested too deeply");
  }
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(path + " is not valid JSON");
  auto h = health_from_json(j);
  if (!h) return make_error(path + " is not valid health JSON: " + h.error().message);
  return h;
}

Status write_health(const std::string& path, const Health& h) {
  // Replace invalid UTF-8 (rclone error text may carry any bytes) instead of throwing.
  const std::string text = to_json(h).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  return write_file_atomic(path, text, 0644);
}

}  // namespace coltec
