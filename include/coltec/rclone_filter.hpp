#pragma once
// rclone filter patterns, compiled and matched the way rclone applies --exclude rules.
// Pure: the watcher uses them to skip excluded subtrees, and the local inspection before a
// sync uses them so the empty-source guard sees what rclone will see.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <coltec/result.hpp>

namespace coltec {

/// One compiled rclone filter glob. Semantics follow rclone's filtering docs: `*` matches
/// within one path segment, `**` across segments, `?` one character other than '/',
/// `[...]` a character class (`^` negates, ranges, `[:alpha:]`-style names), `{a,b}`
/// alternatives (nestable), `\c` a literal c. A leading '/' anchors the pattern to the
/// root; otherwise it matches at any depth, at the end of the path. `{{regexp}}` is not
/// supported and is rejected. Matching is case-sensitive and linear in the path length.
class RclonePattern {
 public:
  /// Compile `pattern`. Fails (never throws) on syntax rclone also rejects: unbalanced
  /// `[ ]` or `{ }`, `***`, a trailing '\', an empty pattern, or `{{`.
  static Result<RclonePattern> compile(std::string_view pattern);

  /// Whether `relative_path` (relative to the root, no leading '/'; directories are
  /// passed with a trailing '/') matches the whole pattern.
  bool matches(std::string_view relative_path) const;
  /// rclone applies patterns ending in '/' or '**' to directories.
  bool is_dir_rule() const { return m_dir_rule; }
  /// rclone applies patterns not ending in '/' to files.
  bool is_file_rule() const { return m_file_rule; }

 private:
  struct Program;
  std::shared_ptr<const Program> m_program;
  bool m_dir_rule = false;
  bool m_file_rule = false;
};

/// A compiled list of exclude patterns, applied the way rclone applies `--exclude` rules:
/// a file is excluded when a file rule matches its path or a directory rule matches one of
/// its ancestor directories; a directory is excluded when a directory rule matches it
/// (`dir/**`, `dir/`) or one of its ancestors.
class ExcludeFilter {
 public:
  /// Compile every pattern. Invalid ones are left out and described in problems().
  static ExcludeFilter build(const std::vector<std::string>& patterns);

  /// Whether `relative_path` (no leading '/', no trailing '/') is excluded.
  bool excluded(std::string_view relative_path, bool is_dir) const;
  /// Whether directory `relative_dir` itself is excluded, assuming its ancestors are not
  /// (the walk checks each level once, so this keeps set-up O(directories)).
  bool dir_excluded(std::string_view relative_dir) const;
  /// One error per pattern that did not compile, naming the pattern.
  const std::vector<Error>& problems() const { return m_problems; }
  /// Whether no (valid) pattern was given.
  bool empty() const { return m_patterns.empty(); }

 private:
  std::vector<RclonePattern> m_patterns;
  std::vector<Error> m_problems;
};

/// Whether one rclone filter `pattern` matches `relative_path` (see RclonePattern).
/// An invalid pattern matches nothing.
bool rclone_pattern_matches(std::string_view pattern, std::string_view relative_path);

/// Whether `relative_path` is excluded by `patterns` (see ExcludeFilter). Invalid
/// patterns are ignored; use ExcludeFilter::build to see them.
bool is_excluded(const std::vector<std::string>& patterns, std::string_view relative_path,
                 bool is_dir);

}  // namespace coltec
