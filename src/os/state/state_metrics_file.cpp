// Writing the metrics file for node_exporter's textfile collector.

#include <coltec/metrics_file.hpp>
#include <coltec/state.hpp>

namespace coltec {

Status write_metrics_file(const std::string& path, const std::string& text) {
  if (path.empty()) return make_error("metrics file path is empty");
  // The collector reads the file while we replace it, so only a rename is safe.
  return write_file_atomic(path, text, 0644);
}

}  // namespace coltec
