#pragma once
// A ProcessRunner that starts nothing: it records each argv and answers with the output and
// exit code a test scripts per call, posted onto the same io_context (STYLE: inject the
// runner). `hold` keeps a child "running" until release(), for cancellation tests.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <coltec/process_runner.hpp>

namespace coltec {

/// What a scripted child prints and how it ends.
struct Script {
  int exit_code = 0;
  std::vector<std::string> err;  ///< stderr lines (rclone logs there)
  std::vector<std::string> out;  ///< stdout lines (lsjson)
  bool timed_out = false;        ///< the runner stopped it at ProcessSpec::timeout
};

class FakeRunning final : public RunningProcess {
 public:
  int pid() const override { return 4242; }
  void terminate(std::chrono::milliseconds) override { ++terminated; }
  void kill() override { ++killed; }
  int terminated = 0;
  int killed = 0;
};

class FakeProcessRunner final : public ProcessRunner {
 public:
  explicit FakeProcessRunner(boost::asio::io_context& io) : m_io(io) {}
  std::function<Script(const std::vector<std::string>&)> script = [](const auto&) {
    return Script{};
  };
  std::vector<std::vector<std::string>> calls;
  std::vector<std::vector<int>> kept_fds;  ///< ProcessSpec::keep_fds of each call
  std::vector<std::optional<std::chrono::milliseconds>>
      timeouts;  ///< ProcessSpec::timeout of each call
  std::shared_ptr<FakeRunning> last;
  bool hold = false;  ///< keep the child "running" until release()

  std::shared_ptr<RunningProcess> start(const ProcessSpec& spec, LineHandler on_line,
                                        ExitHandler on_exit) override {
    calls.push_back(spec.argv);
    kept_fds.push_back(spec.keep_fds);
    timeouts.push_back(spec.timeout);
    last = std::make_shared<FakeRunning>();
    auto s = script(spec.argv);
    m_pending = [s, on_line, on_exit, running = last] {
      for (const auto& l : s.out) on_line(OutputStream::out, l);
      for (const auto& l : s.err) on_line(OutputStream::err, l);
      ProcessResult r;
      r.exit_code = running->killed > 0 ? -1 : s.exit_code;
      r.term_signal = running->killed > 0 ? 9 : 0;
      r.timed_out = s.timed_out;
      on_exit(r);
    };
    if (!hold) release();
    return last;
  }
  void release() { boost::asio::post(m_io, std::exchange(m_pending, nullptr)); }

 private:
  boost::asio::io_context& m_io;
  std::function<void()> m_pending;
};

}  // namespace coltec
