// SchedulerDriver wiring on a real io_context: completions posted by a runner wake the
// driver, and it reports the end once. No timers are waited on (once mode, instant runs).

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <coltec/scheduler_driver.hpp>

#include "fakes/fake_job_runner.hpp"

namespace coltec::testing {
namespace {

// Completes every run on the io_context, like the real executor does.
class PostingRunner : public JobRunner {
 public:
  explicit PostingRunner(boost::asio::io_context& io) : m_io(io) {}
  void start(const RunRequest& request, RunDone done) override {
    started.push_back(request.action);
    boost::asio::post(m_io, [done = std::move(done)] { done(RunReport{}); });
  }
  void cancel(const std::string&) override {}
  std::vector<std::string> started;

 private:
  boost::asio::io_context& m_io;
};

TEST(SchedulerDriver, RunsOnceModeToTheEndOnARealLoop) {
  boost::asio::io_context io;
  PostingRunner runner(io);
  Scheduler scheduler({job("a", Direction::bidirectional, 10s, 1), job("b"), job("c")},
                      SchedulerConfig{.max_parallel = 1, .once = true}, runner, [] { return 0.0; });
  SchedulerDriver driver(io, scheduler);
  int finished = 0;
  driver.set_on_finished([&] { ++finished; });
  driver.start();
  io.run_for(std::chrono::seconds{10});  // bound only; it returns as soon as work runs out
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(runner.started, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(scheduler.finished());
}

}  // namespace
}  // namespace coltec::testing
