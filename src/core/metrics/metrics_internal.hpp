#pragma once
// Helpers shared by the metrics sources; not part of the public API.

#include <cstddef>
#include <string_view>

namespace coltec::metrics_detail {

// Length of the valid UTF-8 sequence starting at s[i] (i < s.size()), or 0 when it is not
// one: overlong forms, surrogates and code points above U+10FFFF are invalid.
std::size_t utf8_length(std::string_view s, std::size_t i);

}  // namespace coltec::metrics_detail
