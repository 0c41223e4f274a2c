// rclone filter globs compiled to a tiny NFA and run Pike-VM style, so matching stays
// linear in the path length whatever the pattern (exclude lists come from a config file
// that may be hostile; a backtracking matcher would go exponential on `**a**a**a…`).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <coltec/rclone_filter.hpp>
#include <coltec/text.hpp>

namespace coltec {
namespace {

enum class Op : std::uint8_t { literal, any_but_slash, any, char_class, split, jump, match };

struct Range {
  char32_t lo;
  char32_t hi;
};

struct Inst {
  Op op = Op::match;
  char32_t ch = 0;
  bool negated = false;
  std::vector<Range> ranges;  // char_class
  std::vector<int> targets;   // split, jump
};

Inst simple(Op op, char32_t ch = 0) {
  Inst inst;
  inst.op = op;
  inst.ch = ch;
  return inst;
}

Inst branch(Op op, std::vector<int> targets) {
  Inst inst;
  inst.op = op;
  inst.targets = std::move(targets);
  return inst;
}

constexpr int k_max_brace_depth = 16;
constexpr std::size_t k_max_pattern_length = 4096;

struct NamedClass {
  std::u32string_view name;
  std::vector<Range> ranges;
};

std::vector<Range> posix_class(std::u32string_view name, bool& ok) {
  static const std::array<NamedClass, 8> k_classes = {{
      {U"alpha", {{'a', 'z'}, {'A', 'Z'}}},
      {U"digit", {{'0', '9'}}},
      {U"alnum", {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}}},
      {U"upper", {{'A', 'Z'}}},
      {U"lower", {{'a', 'z'}}},
      {U"space", {{' ', ' '}, {'\t', '\r'}}},
      {U"xdigit", {{'0', '9'}, {'a', 'f'}, {'A', 'F'}}},
      {U"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
  }};
  for (const auto& entry : k_classes) {
    if (entry.name == name) {
      ok = true;
      return entry.ranges;
    }
  }
  ok = false;
  return {};
}

class Compiler {
 public:
  Compiler(std::u32string pattern, std::vector<Inst>& code)
      : m_pat(std::move(pattern)), m_code(code) {}

  Status sequence(int depth) {
    while (m_pos < m_pat.size()) {
      const char32_t c = m_pat[m_pos];
      if (depth > 0 && (c == ',' || c == '}')) return Unit{};
      Status step = atom(c, depth);
      if (!step) return step;
    }
    return Unit{};
  }

 private:
  Status atom(char32_t c, int depth) {
    switch (c) {
      case '\\':
        if (m_pos + 1 >= m_pat.size()) return make_error("trailing '\\'");
        emit_literal(m_pat[m_pos + 1]);
        m_pos += 2;
        return Unit{};
      case '*':
        return stars();
      case '?':
        m_code.push_back(simple(Op::any_but_slash));
        ++m_pos;
        return Unit{};
      case '[':
        return char_class();
      case ']':
        return make_error("mismatched ']'");
      case '{':
        return alternation(depth + 1);
      case '}':
        return make_error("mismatched '}'");
      default:
        emit_literal(c);
        ++m_pos;
        return Unit{};
    }
  }

  void emit_literal(char32_t c) { m_code.push_back(simple(Op::literal, c)); }

  int here() const { return static_cast<int>(m_code.size()); }

  Status stars() {
    std::size_t count = 0;
    while (m_pos < m_pat.size() && m_pat[m_pos] == '*') {
      ++count;
      ++m_pos;
    }
    if (count > 2) return make_error("too many stars");
    const int loop = here();
    m_code.push_back(branch(Op::split, {loop + 1, loop + 3}));
    m_code.push_back(simple(count == 1 ? Op::any_but_slash : Op::any));
    m_code.push_back(branch(Op::jump, {loop}));
    return Unit{};
  }

  Status alternation(int depth) {
    if (depth > k_max_brace_depth) return make_error("'{' nested too deeply");
    if (m_pos + 1 < m_pat.size() && m_pat[m_pos + 1] == '{') {
      return make_error("'{{regexp}}' is not supported");
    }
    ++m_pos;
    const auto split = static_cast<std::size_t>(here());
    m_code.push_back(simple(Op::split));
    std::vector<std::size_t> jumps;
    while (true) {
      m_code[split].targets.push_back(here());
      Status inner = sequence(depth);
      if (!inner) return inner;
      if (m_pos >= m_pat.size()) return make_error("mismatched '{'");
      jumps.push_back(static_cast<std::size_t>(here()));
      m_code.push_back(simple(Op::jump));
      if (m_pat[m_pos++] == '}') break;
    }
    for (const std::size_t jump : jumps) m_code[jump].targets = {here()};
    return Unit{};
  }

  Status char_class() {
    Inst inst = simple(Op::char_class);
    ++m_pos;
    if (m_pos < m_pat.size() && m_pat[m_pos] == '^') {
      inst.negated = true;
      ++m_pos;
    }
    while (m_pos < m_pat.size() && m_pat[m_pos] != ']') {
      Status item = class_item(inst.ranges);
      if (!item) return item;
    }
    if (m_pos >= m_pat.size()) return make_error("mismatched '['");
    if (inst.ranges.empty()) return make_error("empty character class");
    ++m_pos;
    m_code.push_back(std::move(inst));
    return Unit{};
  }

  Status class_item(std::vector<Range>& ranges) {
    if (m_pat.compare(m_pos, 2, U"[:") == 0) {
      const std::size_t end = m_pat.find(U":]", m_pos + 2);
      bool ok = false;
      if (end != std::u32string::npos) {
        auto named = posix_class(std::u32string_view(m_pat).substr(m_pos + 2, end - m_pos - 2), ok);
        ranges.insert(ranges.end(), named.begin(), named.end());
      }
      if (!ok) return make_error("unknown character class name");
      m_pos = end + 2;
      return Unit{};
    }
    char32_t lo = 0;
    if (!class_char(lo)) return make_error("mismatched '['");
    char32_t hi = lo;
    if (m_pos + 1 < m_pat.size() && m_pat[m_pos] == '-' && m_pat[m_pos + 1] != ']') {
      ++m_pos;
      if (!class_char(hi)) return make_error("mismatched '['");
      if (hi < lo) return make_error("invalid character class range");
    }
    ranges.push_back(Range{lo, hi});
    return Unit{};
  }

  bool class_char(char32_t& out) {
    if (m_pos < m_pat.size() && m_pat[m_pos] == '\\') ++m_pos;
    if (m_pos >= m_pat.size()) return false;
    out = m_pat[m_pos++];
    return true;
  }

  std::u32string m_pat;
  std::vector<Inst>& m_code;
  std::size_t m_pos = 0;
};

bool consumes(const Inst& inst, char32_t c) {
  switch (inst.op) {
    case Op::literal:
      return inst.ch == c;
    case Op::any_but_slash:
      return c != '/';
    case Op::any:
      return true;
    case Op::char_class: {
      bool in = false;
      for (const Range& r : inst.ranges) in = in || (c >= r.lo && c <= r.hi);
      return in != inst.negated;
    }
    default:
      return false;
  }
}

// Follows split/jump edges with an explicit stack; `seen` holds the generation in which
// each instruction was last added, so one list never holds a state twice.
void add_state(const std::vector<Inst>& code, int start, std::vector<int>& list,
               std::vector<std::uint32_t>& seen, std::uint32_t generation) {
  std::vector<int> stack{start};
  while (!stack.empty()) {
    const int pc = stack.back();
    stack.pop_back();
    const auto index = static_cast<std::size_t>(pc);
    if (seen[index] == generation) continue;
    seen[index] = generation;
    const Inst& inst = code[index];
    if (inst.op == Op::split || inst.op == Op::jump) {
      for (const int target : inst.targets) stack.push_back(target);
    } else {
      list.push_back(pc);
    }
  }
}

}  // namespace

struct RclonePattern::Program {
  std::vector<Inst> code;
  bool anchored = false;
};

Result<RclonePattern> RclonePattern::compile(std::string_view pattern) {
  const auto fail = [&](const std::string& why) {
    return make_error("invalid filter pattern \"" + std::string(pattern) + "\": " + why);
  };
  if (pattern.empty()) return fail("empty pattern");
  if (pattern.size() > k_max_pattern_length) return fail("longer than 4096 bytes");
  auto program = std::make_shared<Program>();
  std::string_view body = pattern;
  if (body.front() == '/') {
    program->anchored = true;
    body.remove_prefix(1);
  }
  Compiler compiler(decode_utf8(body), program->code);
  Status status = compiler.sequence(0);
  if (!status) return fail(status.error().message);
  program->code.push_back(simple(Op::match));
  RclonePattern out;
  out.m_program = std::move(program);
  out.m_dir_rule = pattern.ends_with('/') || pattern.ends_with("**");
  out.m_file_rule = !pattern.ends_with('/');
  return out;
}

bool RclonePattern::matches(std::string_view relative_path) const {
  const std::vector<Inst>& code = m_program->code;
  const std::u32string path = decode_utf8(relative_path);
  std::vector<std::uint32_t> seen(code.size(), 0);
  std::uint32_t generation = 1;
  std::vector<int> current;
  std::vector<int> next;
  add_state(code, 0, current, seen, generation);
  for (const char32_t c : path) {
    ++generation;
    next.clear();
    for (const int pc : current) {
      if (consumes(code[static_cast<std::size_t>(pc)], c)) {
        add_state(code, pc + 1, next, seen, generation);
      }
    }
    // Unanchored patterns may also start right after any '/': rclone's "(^|/)" prefix.
    if (!m_program->anchored && c == '/') add_state(code, 0, next, seen, generation);
    std::swap(current, next);
    if (current.empty() && m_program->anchored) return false;
  }
  for (const int pc : current) {
    if (code[static_cast<std::size_t>(pc)].op == Op::match) return true;
  }
  return false;
}

ExcludeFilter ExcludeFilter::build(const std::vector<std::string>& patterns) {
  ExcludeFilter filter;
  for (const std::string& text : patterns) {
    auto compiled = RclonePattern::compile(text);
    if (compiled) {
      filter.m_patterns.push_back(std::move(compiled).value());
    } else {
      filter.m_problems.push_back(compiled.error());
    }
  }
  return filter;
}

bool ExcludeFilter::dir_excluded(std::string_view relative_dir) const {
  if (m_patterns.empty()) return false;
  std::string with_slash(relative_dir);
  with_slash.push_back('/');
  for (const RclonePattern& pattern : m_patterns) {
    if (pattern.is_dir_rule() && pattern.matches(with_slash)) return true;
  }
  return false;
}

bool ExcludeFilter::excluded(std::string_view relative_path, bool is_dir) const {
  if (m_patterns.empty()) return false;
  for (std::size_t slash = relative_path.find('/'); slash != std::string_view::npos;
       slash = relative_path.find('/', slash + 1)) {
    if (slash > 0 && dir_excluded(relative_path.substr(0, slash))) return true;
  }
  if (is_dir) return dir_excluded(relative_path);
  for (const RclonePattern& pattern : m_patterns) {
    if (pattern.is_file_rule() && pattern.matches(relative_path)) return true;
  }
  return false;
}

bool rclone_pattern_matches(std::string_view pattern, std::string_view relative_path) {
  auto compiled = RclonePattern::compile(pattern);
  return compiled && compiled->matches(relative_path);
}

bool is_excluded(const std::vector<std::string>& patterns, std::string_view relative_path,
                 bool is_dir) {
  return ExcludeFilter::build(patterns).excluded(relative_path, is_dir);
}

}  // namespace coltec
