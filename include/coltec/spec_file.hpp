#pragma once
// The spec loader's one I/O edge: read workspace-spec.yaml from disk, with limits, and hand
// the text to the pure loader (config.hpp).

#include <string>
#include <string_view>

#include <coltec/config.hpp>

namespace coltec {

/// Read `path` (a regular file of at most k_max_spec_bytes; FIFOs and devices are refused
/// without blocking) and load it with load_spec_text. Read failures become Problems
/// with line 0. Never throws.
LoadResult load_spec_file(const std::string& path);

/// As load_spec_file, with a custom schema; `schema_only` skips the semantic rules as
/// check_schema_only does.
LoadResult load_spec_file(const std::string& path, std::string_view schema_json, bool schema_only);

}  // namespace coltec
