// YAML events → JSON with locations. An explicit stack instead of recursion, and hard
// limits on nodes, bytes and depth counted while aliases are expanded, so hostile input
// (alias bombs, deep nesting) is refused in bounded time and memory.

#include "config_yaml_events.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <coltec/text.hpp>

namespace coltec::config_detail {
namespace {

Loc loc_of(const YAML::Mark& mark) {
  return Loc{mark.line + 1, mark.column + 1};
}

bool all_of_chars(const std::string& s, std::string_view allowed) {
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return allowed.find(c) != std::string_view::npos; });
}

std::optional<nlohmann::json> resolve_integer(const std::string& v) {
  std::string_view digits(v);
  int base = 10;
  if (digits.starts_with("0x")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.starts_with("0o")) {
    base = 8;
    digits.remove_prefix(2);
  }
  if (base == 10 && !digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty()) return std::nullopt;
  const char* end = digits.data() + digits.size();
  if (digits.front() == '-') {
    if (base != 10) return std::nullopt;
    std::int64_t n = 0;
    const auto r = std::from_chars(digits.data(), end, n, base);
    if (r.ec == std::errc{} && r.ptr == end) return nlohmann::json(n);
    return std::nullopt;
  }
  std::uint64_t n = 0;
  const auto r = std::from_chars(digits.data(), end, n, base);
  if (r.ec == std::errc{} && r.ptr == end) return nlohmann::json(n);
  return std::nullopt;
}

std::optional<nlohmann::json> resolve_float(const std::string& v) {
  if (!all_of_chars(v, "0123456789+-.eE") || v.find_first_of("0123456789") == std::string::npos) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size() || !std::isfinite(d)) return std::nullopt;
  return nlohmann::json(d);
}

}  // namespace

// YAML 1.2 core schema for plain scalars; anything else stays a string.
nlohmann::json resolve_scalar(const std::string& tag, const std::string& value) {
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return value;
  if (value == "true" || value == "True" || value == "TRUE") return true;
  if (value == "false" || value == "False" || value == "FALSE") return false;
  if (auto n = resolve_integer(value)) return *n;
  if (auto d = resolve_float(value)) return *d;
  return value;
}

EventBuilder::EventBuilder(Document& doc, std::vector<RawProblem>& problems, Counters& counters)
    : m_doc(doc), m_problems(problems), m_counters(counters) {}

void EventBuilder::OnDocumentStart(const YAML::Mark& mark) {
  m_doc_start = loc_of(mark);
}

void EventBuilder::OnDocumentEnd() {}

void EventBuilder::count(const YAML::Mark& mark, std::size_t nodes, std::size_t bytes) {
  m_counters.nodes += nodes;
  m_counters.bytes += bytes;
  if (m_counters.nodes > k_max_spec_nodes) {
    throw LimitError{loc_of(mark), "the document has more than " +
                                       std::to_string(k_max_spec_nodes) +
                                       " YAML nodes once aliases are expanded; the limit is " +
                                       std::to_string(k_max_spec_nodes)};
  }
  if (m_counters.bytes > k_max_expanded_bytes) {
    throw LimitError{loc_of(mark), "the document expands to more than " +
                                       human_bytes(k_max_expanded_bytes) +
                                       " of text through aliases; the limit is " +
                                       human_bytes(k_max_expanded_bytes)};
  }
}

void EventBuilder::check_depth(const YAML::Mark& mark, int extra) const {
  if (static_cast<int>(m_stack.size()) + extra > k_max_spec_depth) {
    throw LimitError{loc_of(mark), "mappings and sequences are nested more than " +
                                       std::to_string(k_max_spec_depth) +
                                       " levels deep; the limit is " +
                                       std::to_string(k_max_spec_depth)};
  }
}

bool EventBuilder::expecting_key() const {
  return !m_stack.empty() && m_stack.back().is_map && !m_stack.back().key;
}

bool EventBuilder::silent() const {
  if (m_stack.empty()) return false;
  const Frame& top = m_stack.back();
  return top.silent || top.is_key || (top.is_map && top.drop_value);
}

std::string EventBuilder::next_pointer() const {
  if (m_stack.empty()) return "";
  const Frame& top = m_stack.back();
  if (top.is_map) return child_pointer(top.pointer, top.key.value_or(""));
  return child_pointer(top.pointer, top.value.size());
}

void EventBuilder::take_key(const std::string& text, Loc loc) {
  Frame& top = m_stack.back();
  top.key = text;
  top.drop_value = false;
  if (top.silent || top.is_key) return;
  const std::string pointer = child_pointer(top.pointer, text);
  if (top.value.contains(text)) {
    const auto first = m_doc.keys.find(pointer);
    const int first_line = first == m_doc.keys.end() ? 0 : first->second.line;
    // The key could be a pasted secret (see showable).
    const std::string key = showable(text) ? " '" + text + "'" : std::string();
    m_problems.push_back({pointer, loc,
                          "duplicate key" + key + " (first defined on line " +
                              std::to_string(first_line) + "); each key may appear once"});
    top.drop_value = true;
    return;
  }
  m_doc.keys[pointer] = loc;
}

void EventBuilder::drop_key() {
  m_stack.back().key = "";
  m_stack.back().drop_value = true;
}

void EventBuilder::place(nlohmann::json value, int height) {
  if (m_stack.empty()) {
    m_doc.root = std::move(value);
    m_has_root = true;
    return;
  }
  Frame& top = m_stack.back();
  top.height = std::max(top.height, height + 1);
  if (!top.is_map) {
    top.value.push_back(std::move(value));
    return;
  }
  const std::string key = top.key.value_or("");
  if (!top.drop_value) {
    if (key == "<<" && !top.silent) {
      top.merges.push_back(std::move(value));
    } else {
      top.value[key] = std::move(value);
    }
  }
  top.key.reset();
  top.drop_value = false;
}

void EventBuilder::remember(YAML::anchor_t anchor, const nlohmann::json& value, std::size_t nodes,
                            std::size_t bytes, int height) {
  if (anchor == YAML::NullAnchor) return;
  m_anchors[anchor] = Anchored{value, nodes, bytes, height};
}

void EventBuilder::add_scalar(nlohmann::json value, const YAML::Mark& mark, YAML::anchor_t anchor,
                              const std::string& text) {
  count(mark, 1, text.size());
  remember(anchor, value, 1, text.size(), 0);
  if (expecting_key()) {
    take_key(text, loc_of(mark));
    return;
  }
  if (!silent()) {
    const std::string pointer = next_pointer();
    m_doc.values[pointer] = loc_of(mark);
    if (value.is_number() || value.is_boolean()) m_doc.plain_text[pointer] = text;
  }
  place(std::move(value), 0);
}

void EventBuilder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  add_scalar(nullptr, mark, anchor, "");
}

void EventBuilder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                            const std::string& value) {
  add_scalar(resolve_scalar(tag, value), mark, anchor, value);
}

void EventBuilder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
  const auto it = m_anchors.find(anchor);
  if (it == m_anchors.end()) {
    add_scalar(nullptr, mark, YAML::NullAnchor, "");
    return;
  }
  const Anchored& a = it->second;
  count(mark, a.nodes, a.bytes);
  check_depth(mark, a.height);
  if (expecting_key()) {
    if (!a.value.is_string()) {
      m_problems.push_back({m_stack.back().pointer, loc_of(mark),
                            "a mapping key must be a plain scalar, not an alias to a "
                            "mapping or sequence"});
    }
    if (a.value.is_string()) {
      take_key(a.value.get<std::string>(), loc_of(mark));
    } else {
      drop_key();
    }
    return;
  }
  if (!silent()) m_doc.values[next_pointer()] = loc_of(mark);
  place(a.value, a.height);
}

void EventBuilder::open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
  count(mark, 1, 0);
  check_depth(mark, 1);
  Frame frame;
  frame.is_map = is_map;
  frame.value = is_map ? nlohmann::json::object() : nlohmann::json::array();
  frame.anchor = anchor;
  frame.loc = loc_of(mark);
  frame.nodes_start = m_counters.nodes - 1;
  frame.bytes_start = m_counters.bytes;
  frame.is_key = expecting_key();
  frame.silent = silent();
  frame.pointer = frame.is_key ? "" : next_pointer();
  if (!frame.silent && !frame.is_key) m_doc.values[frame.pointer] = frame.loc;
  m_stack.push_back(std::move(frame));
}

void EventBuilder::OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/,
                                   YAML::anchor_t anchor, YAML::EmitterStyle::value /*style*/) {
  open(mark, anchor, false);
}

void EventBuilder::OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/,
                              YAML::anchor_t anchor, YAML::EmitterStyle::value /*style*/) {
  open(mark, anchor, true);
}

// YAML merge keys (`<<: *base`): explicit keys win, earlier merges win over later ones.
void EventBuilder::apply_merges(Frame& frame) {
  for (const auto& merge : frame.merges) {
    const auto add = [&](const nlohmann::json& source) {
      if (!source.is_object()) return;
      for (const auto& [k, v] : source.items()) {
        if (!frame.value.contains(k)) frame.value[k] = v;
      }
    };
    if (merge.is_array()) {
      for (const auto& item : merge) add(item);
    } else {
      add(merge);
    }
  }
}

void EventBuilder::close() {
  Frame frame = std::move(m_stack.back());
  m_stack.pop_back();
  apply_merges(frame);
  remember(frame.anchor, frame.value, m_counters.nodes - frame.nodes_start,
           m_counters.bytes - frame.bytes_start, frame.height);
  if (frame.is_key) {
    m_problems.push_back({m_stack.back().pointer, frame.loc,
                          "a mapping key must be a plain scalar, not a mapping or sequence"});
    drop_key();
    return;
  }
  place(std::move(frame.value), frame.height);
}

void EventBuilder::OnSequenceEnd() {
  close();
}

void EventBuilder::OnMapEnd() {
  close();
}

}  // namespace coltec::config_detail
