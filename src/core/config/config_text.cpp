// Checks on the raw bytes, before the YAML parser sees them: size, UTF-8, control bytes.

#include <cstdio>
#include <string>
#include <string_view>

#include <coltec/text.hpp>

#include "config_internal.hpp"

namespace coltec::config_detail {
namespace {

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(b));
  return buf;
}

Problem at(const std::string& file, int line, int column, std::string message) {
  return Problem{"", file, line, column, std::move(message)};
}

}  // namespace

std::optional<Problem> check_text(std::string_view text, const std::string& file) {
  if (text.size() > k_max_spec_bytes) {
    return at(file, 0, 0, "workspace spec is " + human_bytes(text.size()) + "; the limit is 1 MiB");
  }
  int line = 1;
  int column = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      return at(file, line, column,
                "invalid UTF-8 (byte " + hex_byte(b) + "); a workspace spec must be UTF-8 text");
    }
    if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
      return at(file, line, column,
                "control character " + hex_byte(b) +
                    " in the text; a workspace spec must be plain UTF-8 text, not binary data");
    }
    if (b == 0x7F) {
      return at(file, line, column, "control character 0x7F (DEL) in the text");
    }
    if (b == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return std::nullopt;
}

}  // namespace coltec::config_detail
