#pragma once
// The thin Asio shell around the pure Scheduler: one steady_timer that calls tick() when
// the next wake-up comes due, and one posted step after any event or run completion.

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <coltec/scheduler.hpp>

namespace coltec {

/// The thin Asio shell: one steady_timer on `io` that calls scheduler.tick(Clock::now())
/// at next_wakeup(), and again soon after any event or completion. Both references are
/// not owned and must outlive the driver; the driver must outlive io.run().
class SchedulerDriver {
 public:
  /// Bind to `io` and `scheduler`; nothing happens until start().
  SchedulerDriver(boost::asio::io_context& io, Scheduler& scheduler);
  /// Start the scheduler (first pass) and arm the timer.
  void start();
  /// Called once, on the loop thread, when scheduler.finished() turns true.
  void set_on_finished(std::function<void()> on_finished);

 private:
  void poke();
  void step();
  void arm();

  boost::asio::io_context& m_io;
  Scheduler& m_scheduler;
  boost::asio::steady_timer m_timer;
  std::function<void()> m_on_finished;
  bool m_step_posted = false;
  bool m_done = false;
};

}  // namespace coltec
