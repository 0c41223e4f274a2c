#pragma once
// Filesystem change events for the scheduler: one inotify descriptor read through Asio,
// recursive watches per action root, rclone-style excludes, and a clear fallback to
// interval polling whenever the kernel cannot give us watches. No threads.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <coltec/local_change.hpp>
#include <coltec/rclone_filter.hpp>
#include <coltec/result.hpp>

namespace coltec {

// ---------------------------------------------------------------------------------------
// inotify events (pure parser; src/os/watcher/watcher_events.cpp)

/// One decoded `struct inotify_event`. `name` is empty for events on the watched
/// directory itself (and for IN_Q_OVERFLOW, whose wd is -1).
struct InotifyEvent {
  int wd = -1;
  std::uint32_t mask = 0;  ///< IN_* bits
  std::uint32_t cookie = 0;
  std::string name;  ///< trailing NUL padding removed
  bool operator==(const InotifyEvent&) const = default;
};

/// Decode a buffer read from an inotify descriptor. Fails, naming the offset, when the
/// buffer ends inside an event header or name (the kernel never does this; a broken or
/// hostile source may).
Result<std::vector<InotifyEvent>> parse_events(std::span<const std::byte> bytes);

// ---------------------------------------------------------------------------------------
// The OS seam (src/os/watcher/watcher_inotify.cpp)

/// The three inotify calls the watcher makes, so tests can inject ENOSPC, EMFILE or a
/// pipe carrying synthetic events. Each returns a non-negative result or -errno.
class InotifyApi {
 public:
  virtual ~InotifyApi() = default;
  /// A new non-blocking, close-on-exec inotify descriptor (owned by the caller, who
  /// closes it), or -errno (e.g. -EMFILE).
  virtual int init() = 0;
  /// inotify_add_watch: a watch descriptor, or -errno (e.g. -ENOSPC at the watch limit).
  virtual int add_watch(int fd, const std::string& path, std::uint32_t mask) = 0;
  /// inotify_rm_watch: 0, or -errno.
  virtual int remove_watch(int fd, int wd) = 0;
};

/// The real inotify calls.
std::unique_ptr<InotifyApi> make_system_inotify_api();

// ---------------------------------------------------------------------------------------
// The watcher (src/os/watcher/: watcher.cpp, watcher_walk.cpp, watcher_events.cpp)

/// One directory tree to watch on behalf of one action.
struct WatchRoot {
  std::string action;                ///< action name reported in callbacks
  std::string path;                  ///< absolute local root
  std::vector<std::string> exclude;  ///< rclone filter patterns, relative to `path`
  bool operator==(const WatchRoot&) const = default;
};

/// How the watcher reports. Every callback runs on the io_context's thread (or inside
/// add_root / retry_missing_roots); an empty std::function is simply not called.
struct WatcherCallbacks {
  /// Something under the action's root changed that its excludes do not exclude.
  /// Called at most once per action per batch of events read.
  std::function<void(const std::string& action)> on_change;
  /// The kernel queue overflowed: events were lost, run one full sync of this action.
  /// Called once per watching action per overflow.
  std::function<void(const std::string& action)> on_overflow;
  /// The action is no longer (or never was) watched and must be synced at its interval:
  /// watch limit reached, inotify unavailable, root missing or gone. Called once per
  /// such transition, with a sentence for the log.
  std::function<void(const std::string& action, const std::string& message)> on_fallback;
  /// A non-fatal problem (a directory that cannot be watched, an invalid exclude pattern);
  /// the action stays watched elsewhere.
  std::function<void(const std::string& action, const std::string& message)> on_watch_error;
  /// Optional, called just before on_change with what changed under the root (paths
  /// relative to it, directories marked). `complete` is false when the batch held more
  /// than k_max_reported_paths changes for the action: then treat it as "anything".
  std::function<void(const std::string& action, const std::vector<ChangedPath>& paths,
                     bool complete)>
      on_paths;
};

/// What the watcher ignores besides each action's excludes.
struct WatcherOptions {
  /// Absolute paths whose subtrees are never watched or reported: the daemon's state
  /// directory, its log file, rclone's bisync workdir.
  std::vector<std::string> ignored_prefixes;
  /// rclone-style patterns (relative to each root) for names rclone writes while it
  /// transfers; changes to them are not reported.
  std::vector<std::string> ignored_names = {"*.partial"};
};

/// How an action is currently observed.
enum class WatchMode {
  watching,     ///< inotify watches cover the tree
  polling,      ///< inotify unavailable or limit reached: interval sync only
  root_missing  ///< the root does not exist (or vanished): interval sync only
};

/// Recursive inotify watcher. Owns its inotify descriptor; `io` must outlive it. Not
/// thread-safe: use it from the io_context's thread. Callbacks may call any method but
/// remove_root, including stop(), but must not destroy the watcher.
class Watcher {
 public:
  /// Create a watcher reading events on `io`. `api` defaults to the real inotify calls.
  /// If inotify cannot be initialised (EMFILE, ENFILE, …) the watcher is still created,
  /// available() is false and every add_root reports on_fallback with the reason. Fails
  /// only for invalid `options.ignored_names` patterns.
  static Result<std::unique_ptr<Watcher>> create(boost::asio::io_context& io,
                                                 WatcherCallbacks callbacks, WatcherOptions options,
                                                 std::unique_ptr<InotifyApi> api = nullptr);
  /// Closes the descriptor (releasing every watch); pending reads complete silently.
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  /// Watch `root` recursively: walks the tree synchronously (explicit stack, symlinks not
  /// followed, excluded and ignored subtrees skipped). Problems are reported through the
  /// callbacks, never thrown. Adding an action name twice reports on_watch_error.
  void add_root(const WatchRoot& root);
  /// Stop watching `action`'s root (SIGHUP: the action was removed, or its path or excludes
  /// changed and add_root follows). Its watches are released, except directories another
  /// root still covers, and nothing more is reported for it. False for an unknown action.
  /// Not from inside a callback: a batch being reported refers to the roots by position.
  bool remove_root(std::string_view action);
  /// Try again to watch roots in WatchMode::root_missing (e.g. a volume mounted late).
  /// Returns the actions that are now watched; the caller should sync them once.
  std::vector<std::string> retry_missing_roots();
  /// Handle, now, every event the kernel has already queued, without waiting for the
  /// io_context. Nothing orders a stop signal against inotify events that became ready
  /// while the loop was busy (an fsync, say); calling this when the signal is handled
  /// makes every change made before the signal count, so it is flushed. Reads only what
  /// is queued at the call; returns the number of bytes of events read.
  std::size_t read_pending();
  /// Stop reading events and release every watch; no event is reported afterwards, even
  /// when called from a callback in the middle of a batch.
  void stop();

  /// Kernel watches in use (shared directories of nested roots count once).
  std::size_t watch_count() const { return m_watches.size(); }
  /// Watches that cover `action`'s tree; 0 for unknown actions.
  std::size_t watch_count(std::string_view action) const;
  /// How `action` is observed; nullopt for unknown actions.
  std::optional<WatchMode> mode(std::string_view action) const;
  /// Whether inotify was initialised.
  bool available() const { return m_fd >= 0; }

 private:
  struct RootState {
    WatchRoot spec;
    std::string root;  // normalised: no trailing '/'
    ExcludeFilter filter;
    WatchMode mode = WatchMode::watching;
  };
  struct WatchEntry {
    std::string path;
    std::vector<std::size_t> owners;  // indices into m_roots
  };
  struct Batch;
  enum class AddOutcome { added, skipped, limit_reached };

  Watcher(boost::asio::io_context& io, WatcherCallbacks callbacks, WatcherOptions options,
          std::unique_ptr<InotifyApi> api);
  void open_inotify();
  void start_read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void handle_buffer(std::span<const std::byte> bytes);
  void fail_read(const boost::system::error_code& ec);
  void fail_all(const std::string& message);

  // watcher_walk.cpp
  bool setup_root(std::size_t index);
  bool root_is_directory(std::size_t index, std::string& why) const;
  bool walk(std::size_t index, const std::string& start);
  AddOutcome add_watch(std::size_t index, const std::string& path);
  void push_subdirs(std::size_t index, const std::string& dir, std::vector<std::string>& stack);
  void release_root(std::size_t index);
  void remove_subtree(const std::string& path);
  void forget_watch(int wd);
  void fall_back(std::size_t index, WatchMode mode, const std::string& message);

  // watcher_events.cpp
  void handle_events(const std::vector<InotifyEvent>& events);
  void handle_event(const InotifyEvent& event, Batch& batch);
  void handle_self_gone(const std::string& dir);
  void handle_new_dir(const std::string& path);
  void finish_batch(const Batch& batch);
  std::vector<std::size_t> deepest_roots(const std::string& path) const;
  bool is_ignored_path(const std::string& path) const;
  static std::string join_path(const std::string& dir, std::string_view name);
  static std::string relative_path(const std::string& root, const std::string& path);
  static bool is_under(std::string_view path, std::string_view root);

  WatcherCallbacks m_callbacks;
  WatcherOptions m_options;
  ExcludeFilter m_ignored_names;
  std::unique_ptr<InotifyApi> m_api;
  int m_fd = -1;
  std::string m_init_error;
  boost::asio::posix::stream_descriptor m_stream;
  std::shared_ptr<std::vector<std::byte>> m_buffer;
  std::shared_ptr<int> m_alive;
  std::vector<RootState> m_roots;
  std::unordered_map<int, WatchEntry> m_watches;
  std::map<std::string, int, std::less<>> m_wd_by_path;
};

}  // namespace coltec
