#pragma once
// Small text helpers shared by several pure modules.

#include <cstddef>
#include <string>

namespace coltec {

/// A size for messages: "10.0 MiB", "12.5 KiB", "300 bytes".
std::string human_size(std::size_t bytes);

}  // namespace coltec
