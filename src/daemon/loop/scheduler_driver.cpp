// The Asio shell around Scheduler: one timer, one posted step at a time.

#include <boost/asio/post.hpp>

#include <coltec/scheduler_driver.hpp>

namespace coltec {

SchedulerDriver::SchedulerDriver(boost::asio::io_context& io, Scheduler& scheduler)
    : m_io(io), m_scheduler(scheduler), m_timer(io) {}

void SchedulerDriver::set_on_finished(std::function<void()> on_finished) {
  m_on_finished = std::move(on_finished);
}

void SchedulerDriver::start() {
  m_scheduler.set_wake_callback([this] { poke(); });
  m_scheduler.start(Clock::now());
  poke();
}

void SchedulerDriver::poke() {
  // Events arrive in bursts (a save touches many files); one posted step covers them all.
  if (m_step_posted || m_done) return;
  m_step_posted = true;
  boost::asio::post(m_io, [this] { step(); });
}

void SchedulerDriver::step() {
  m_step_posted = false;
  if (m_done) return;
  m_scheduler.tick(Clock::now());
  if (m_scheduler.finished()) {
    m_done = true;
    m_timer.cancel();
    if (m_on_finished) m_on_finished();
    return;
  }
  arm();
}

void SchedulerDriver::arm() {
  const auto next = m_scheduler.next_wakeup();
  if (!next) {
    m_timer.cancel();
    return;
  }
  m_timer.expires_at(*next);
  m_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) step();
  });
}

}  // namespace coltec
