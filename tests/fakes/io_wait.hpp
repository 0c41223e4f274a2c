#pragma once
// Bounded waiting on an io_context for tests that drive real kernel events (inotify): poll in
// short slices until the condition holds, never longer than the limit.

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>

namespace coltec::test {

/// Runs `io` in 5 ms slices until `done()`; false when `limit` passes first.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return true;
}

}  // namespace coltec::test
