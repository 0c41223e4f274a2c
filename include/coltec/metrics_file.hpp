#pragma once
// The metrics file for node_exporter's textfile collector (the text comes from Metrics).

#include <string>

#include <coltec/result.hpp>

namespace coltec {

/// Write `text` to `path` atomically with mode 0644 (temp file in the same directory,
/// fsync, rename: a reader such as node_exporter's textfile collector sees the old or the
/// new file, never a partial one; the temp name starts with '.' and does not end in .prom,
/// so the collector ignores it). Fails with the path and the OS reason; no temp file is
/// left behind on failure.
Status write_metrics_file(const std::string& path, const std::string& text);

}  // namespace coltec
