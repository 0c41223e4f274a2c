// Watcher lifetime, the public API and the Asio read loop. Tree walking lives in
// watcher_walk.cpp, event handling in watcher_events.cpp.

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <sys/inotify.h>
#include <unistd.h>

#include <coltec/watcher.hpp>

namespace coltec {
namespace {

// Large enough for many events per read; the kernel needs at least one event with a
// NAME_MAX name.
constexpr std::size_t k_read_buffer_bytes = std::size_t{64} * 1024;

std::string normalise(const std::string& path) {
  std::string out = std::filesystem::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string init_error_message(int error) {
  std::string message = "inotify is unavailable (" + std::string(std::strerror(error)) + ")";
  if (error == EMFILE) {
    message +=
        ": the per-user limit fs.inotify.max_user_instances or the open-file limit "
        "is reached";
  }
  return message + "; every action is synced at its interval instead of on change";
}

}  // namespace

Watcher::Watcher(boost::asio::io_context& io, WatcherCallbacks callbacks, WatcherOptions options,
                 std::unique_ptr<InotifyApi> api)
    : m_callbacks(std::move(callbacks)),
      m_options(std::move(options)),
      m_api(std::move(api)),
      m_stream(io),
      m_buffer(std::make_shared<std::vector<std::byte>>(k_read_buffer_bytes)),
      m_alive(std::make_shared<int>(0)) {
  for (std::string& prefix : m_options.ignored_prefixes) prefix = normalise(prefix);
}

Watcher::~Watcher() {
  m_alive.reset();
}

Result<std::unique_ptr<Watcher>> Watcher::create(boost::asio::io_context& io,
                                                 WatcherCallbacks callbacks, WatcherOptions options,
                                                 std::unique_ptr<InotifyApi> api) {
  ExcludeFilter names = ExcludeFilter::build(options.ignored_names);
  if (!names.problems().empty()) return names.problems().front();
  if (!api) api = make_system_inotify_api();
  std::unique_ptr<Watcher> watcher(
      new Watcher(io, std::move(callbacks), std::move(options), std::move(api)));
  watcher->m_ignored_names = std::move(names);
  watcher->open_inotify();
  return watcher;
}

void Watcher::open_inotify() {
  const int fd = m_api->init();
  if (fd < 0) {
    m_init_error = init_error_message(-fd);
    return;
  }
  boost::system::error_code ec;
  m_stream.assign(fd, ec);
  if (ec) {
    ::close(fd);
    m_init_error = "inotify is unavailable (" + ec.message() +
                   "); every action is synced at its interval instead of on change";
    return;
  }
  m_fd = fd;
  start_read();
}

void Watcher::add_root(const WatchRoot& root) {
  const bool duplicate = std::any_of(m_roots.begin(), m_roots.end(), [&](const RootState& r) {
    return r.spec.action == root.action;
  });
  if (duplicate) {
    if (m_callbacks.on_watch_error) {
      m_callbacks.on_watch_error(root.action, "action is already watched; second root ignored");
    }
    return;
  }
  RootState state{root, normalise(root.path), ExcludeFilter::build(root.exclude),
                  WatchMode::watching};
  for (const Error& problem : state.filter.problems()) {
    if (m_callbacks.on_watch_error) {
      m_callbacks.on_watch_error(root.action,
                                 problem.message + " (the watcher ignores this pattern)");
    }
  }
  m_roots.push_back(std::move(state));
  const std::size_t index = m_roots.size() - 1;
  if (!available()) {
    fall_back(index, WatchMode::polling, m_init_error);
    return;
  }
  setup_root(index);
}

bool Watcher::remove_root(std::string_view action) {
  const auto found = std::find_if(m_roots.begin(), m_roots.end(),
                                  [&](const RootState& r) { return r.spec.action == action; });
  if (found == m_roots.end()) return false;
  const auto index = static_cast<std::size_t>(found - m_roots.begin());
  release_root(index);
  m_roots.erase(found);
  // Watches name their roots by position; the roots after the removed one moved up.
  for (auto& [wd, entry] : m_watches) {
    for (std::size_t& owner : entry.owners) {
      if (owner > index) --owner;
    }
  }
  return true;
}

std::vector<std::string> Watcher::retry_missing_roots() {
  std::vector<std::string> recovered;
  for (std::size_t index = 0; index < m_roots.size(); ++index) {
    std::string why;
    if (!available() || m_roots[index].mode != WatchMode::root_missing ||
        !root_is_directory(index, why)) {
      continue;
    }
    m_roots[index].mode = WatchMode::watching;
    if (walk(index, m_roots[index].root)) recovered.push_back(m_roots[index].spec.action);
  }
  return recovered;
}

void Watcher::stop() {
  m_alive.reset();
  boost::system::error_code ignored;
  m_stream.close(ignored);
  m_fd = -1;
  m_init_error = "the watcher was stopped";
  m_watches.clear();
  m_wd_by_path.clear();
}

std::size_t Watcher::watch_count(std::string_view action) const {
  const auto root = std::find_if(m_roots.begin(), m_roots.end(),
                                 [&](const RootState& r) { return r.spec.action == action; });
  if (root == m_roots.end()) return 0;
  const auto index = static_cast<std::size_t>(root - m_roots.begin());
  return static_cast<std::size_t>(
      std::count_if(m_watches.begin(), m_watches.end(), [&](const auto& entry) {
        const auto& owners = entry.second.owners;
        return std::find(owners.begin(), owners.end(), index) != owners.end();
      }));
}

std::optional<WatchMode> Watcher::mode(std::string_view action) const {
  for (const RootState& root : m_roots) {
    if (root.spec.action == action) return root.mode;
  }
  return std::nullopt;
}

void Watcher::start_read() {
  m_stream.async_read_some(boost::asio::buffer(*m_buffer),
                           [this, alive = std::weak_ptr<int>(m_alive), buffer = m_buffer](
                               const boost::system::error_code& ec, std::size_t bytes) {
                             if (alive.expired()) return;
                             on_read(ec, bytes);
                           });
}

void Watcher::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (ec == boost::asio::error::operation_aborted) return;
  if (ec) {
    fail_read(ec);
    return;
  }
  handle_buffer(std::span<const std::byte>(m_buffer->data(), bytes));
  if (m_fd >= 0) start_read();
}

void Watcher::handle_buffer(std::span<const std::byte> bytes) {
  auto events = parse_events(bytes);
  // A buffer we cannot decode means events were lost: the same remedy as an overflow.
  handle_events(events ? events.value() : std::vector<InotifyEvent>{{-1, IN_Q_OVERFLOW, 0, {}}});
}

std::size_t Watcher::read_pending() {
  if (m_fd < 0) return 0;
  // Only what is queued now (FIONREAD): a busy writer must not keep a stop signal's
  // handler reading for ever; later events arrive through the async read as usual.
  boost::asio::posix::descriptor_base::bytes_readable queued(true);
  boost::system::error_code ec;
  m_stream.io_control(queued, ec);
  if (!ec) m_stream.non_blocking(true, ec);
  if (ec) return 0;
  std::size_t total = 0;
  // Its own buffer: the pending async read owns m_buffer until its handler runs.
  std::vector<std::byte> buffer(k_read_buffer_bytes);
  while (total < queued.get() && m_fd >= 0) {
    const std::size_t bytes = m_stream.read_some(boost::asio::buffer(buffer), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) break;
    if (ec) {
      fail_read(ec);
      break;
    }
    total += bytes;
    handle_buffer(std::span<const std::byte>(buffer.data(), bytes));
  }
  return total;
}

void Watcher::fail_read(const boost::system::error_code& ec) {
  fail_all("reading inotify events failed (" + ec.message() +
           "); the action is synced at its interval instead of on change");
}

void Watcher::fail_all(const std::string& message) {
  boost::system::error_code ignored;
  m_stream.close(ignored);
  m_fd = -1;
  m_init_error = message;
  m_watches.clear();
  m_wd_by_path.clear();
  for (std::size_t index = 0; index < m_roots.size(); ++index) {
    if (m_roots[index].mode == WatchMode::watching) fall_back(index, WatchMode::polling, message);
  }
}

}  // namespace coltec
