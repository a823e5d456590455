#include "core/audit/state_keeper.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <dirent.h>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/common/files.h"
#include "test_stores.h"

namespace lockdiag {
namespace {

using testing::Stores;

// A fresh directory per test.
std::string TempDir() {
  char tmpl[] = "/tmp/lockdiag-keeper-XXXXXX";
  EXPECT_NE(mkdtemp(tmpl), nullptr);
  return tmpl;
}

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// What the keeper logged, thread-safely.
struct Messages {
  std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(StateKeeper::Level, const std::string&)> sink() {
    return [this](StateKeeper::Level, const std::string& m) {
      std::lock_guard<std::mutex> lock(mu);
      lines.push_back(m);
    };
  }
  bool Has(const std::string& part) {
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& l : lines)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
};

// WaitFor: polls `done` until it holds or 10 s have passed (the keeper's
// thread works on its own clock; this waits for its result, not for time).
template <typename F>
bool WaitFor(F done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// SettingsFor: settings for the file `path`, logging into `log`.
StateKeeper::Settings SettingsFor(const std::string& path, Messages* log) {
  StateKeeper::Settings settings;
  settings.path = path;
  settings.log = log->sink();
  return settings;
}

void Record(Stores* s, uint64_t thread_id) { s->connections.OnConnect(thread_id, "app", "web1", 1040, 1000); }

TEST(StateKeeper, AMissingFileIsAFirstStart) {
  const std::string dir = TempDir();
  Stores s;
  StateKeeper keeper(s.view());
  Messages log;
  const StateKeeper::Settings settings = SettingsFor(dir + "/state", &log);
  keeper.Load(settings);
  EXPECT_TRUE(log.Has("no state file"));
  EXPECT_TRUE(Files(dir).empty());
}

TEST(StateKeeper, SavesOnRequestAndOnStopAndLoadsItBack) {
  const std::string dir = TempDir();
  Stores s;
  StateKeeper::Settings settings;
  settings.path = dir + "/state";
  settings.version = "0.1";
  {
    StateKeeper keeper(s.view());
    keeper.Start(settings);
    Record(&s, 1);
    keeper.RequestSave();
    ASSERT_TRUE(WaitFor([&] { return keeper.status().saves == 1; }));
    struct stat st;
    ASSERT_EQ(stat(settings.path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);  // private to the server
    EXPECT_GT(keeper.status().last_save, 0);
    EXPECT_GT(keeper.status().last_save_bytes, 0u);
    Record(&s, 2);  // after the save: only the final save has it
    keeper.Stop(/*final_save=*/true);
    EXPECT_EQ(keeper.status().saves, 2u);
  }
  EXPECT_EQ(Files(dir), std::vector<std::string>{"state"});  // no temporary file left
  Stores loaded;
  StateKeeper keeper(loaded.view());
  keeper.Load(settings);
  ASSERT_EQ(loaded.connections.Snapshot().size(), 1u);
  EXPECT_EQ(loaded.connections.Snapshot()[0].attempts, 2u);
}

TEST(StateKeeper, SavesEveryIntervalAndTicks) {
  const std::string dir = TempDir();
  Stores s;
  StateKeeper keeper(s.view());
  std::atomic<int> ticks{0};
  StateKeeper::Settings settings;
  settings.path = dir + "/state";
  settings.interval_seconds = 1;
  settings.tick = [&] { ticks++; };
  keeper.Start(settings);
  EXPECT_TRUE(WaitFor([&] { return keeper.status().saves >= 2; }));
  EXPECT_GE(ticks.load(), 2);
  // Configure turns the periodic saves off (0: only on request and stop).
  keeper.Configure(settings.path, 0);
  keeper.Stop(/*final_save=*/false);
}

TEST(StateKeeper, ACorruptFileIsSetAsideAndLockdiagStartsEmpty) {
  const std::string dir = TempDir();
  const std::string path = dir + "/state";
  std::ofstream(path) << "LOCKDIAG-STATE\n garbage";
  Stores s;
  StateKeeper keeper(s.view());
  Messages log;
  StateKeeper::Settings settings = SettingsFor(path, &log);
  keeper.Load(settings);
  EXPECT_TRUE(log.Has("renamed to " + path + ".bad-")) << (log.lines.empty() ? "" : log.lines[0]);
  const std::vector<std::string> files = Files(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].rfind("state.bad-", 0), 0u);
  EXPECT_FALSE(keeper.status().blocked);
  // The next save writes a good file in its place.
  keeper.Start(settings);
  keeper.Stop(/*final_save=*/true);
  EXPECT_EQ(Files(dir).size(), 2u);
  Stores again;
  StateKeeper reader(again.view());
  Messages log2;
  settings.log = log2.sink();
  reader.Load(settings);
  EXPECT_TRUE(log2.Has("loaded " + path));
}

TEST(StateKeeper, ASymlinkInTheFilesPlaceIsNeitherReadNorWrittenThrough) {
  const std::string dir = TempDir();
  const std::string target = dir + "/secret";
  std::ofstream(target) << "not lockdiag's";
  const std::string path = dir + "/state";
  ASSERT_EQ(symlink(target.c_str(), path.c_str()), 0);
  Stores s;
  StateKeeper keeper(s.view());
  Messages log;
  StateKeeper::Settings settings = SettingsFor(path, &log);
  keeper.Load(settings);
  EXPECT_TRUE(log.Has("is a symlink"));
  keeper.Start(settings);
  keeper.Stop(/*final_save=*/true);
  std::ifstream in(target);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "not lockdiag's");
  struct stat st;
  ASSERT_EQ(lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));  // a file of its own now
}

// A state file another user planted is not loaded (its rows would be shown
// as lockdiag's): it is set aside, and the next save is a file of our own.
TEST(StateKeeper, AFileAnotherUserOwnsIsSetAsideNotLoaded) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  const std::string dir = TempDir();
  const std::string path = dir + "/state";
  {
    Stores s;
    Record(&s, 1);
    StateKeeper keeper(s.view());
    Messages log;
    const StateKeeper::Settings settings = SettingsFor(path, &log);
    keeper.Start(settings);
    keeper.Stop(/*final_save=*/true);
  }
  ASSERT_EQ(chown(path.c_str(), 65534, 65534), 0);
  Stores s;
  StateKeeper keeper(s.view());
  Messages log;
  const StateKeeper::Settings settings = SettingsFor(path, &log);
  keeper.Load(settings);
  EXPECT_TRUE(log.Has("owned by another user")) << "nothing said";
  EXPECT_TRUE(log.Has("renamed to"));
  EXPECT_NE(access(path.c_str(), F_OK), 0) << "the file was not set aside";
  keeper.Start(settings);
  keeper.Stop(/*final_save=*/true);
  struct stat st;
  ASSERT_EQ(lstat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, geteuid());
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// A bad file that cannot even be renamed is never saved over. (A file in
// /proc: readable, not a state file, and no rename works there, even as
// root.)
TEST(StateKeeper, ABadFileThatCannotBeSetAsideIsNeverOverwritten) {
  Stores s;
  Record(&s, 1);
  StateKeeper keeper(s.view());
  Messages log;
  const StateKeeper::Settings settings = SettingsFor("/proc/self/status", &log);
  keeper.Load(settings);
  EXPECT_TRUE(keeper.status().blocked);
  EXPECT_TRUE(log.Has("will not save over it"));
  keeper.Start(settings);
  keeper.Stop(/*final_save=*/true);
  EXPECT_EQ(keeper.status().saves, 0u);
  EXPECT_EQ(keeper.status().save_errors, 0u);
}

TEST(StateKeeper, AFailedSaveIsCountedAndLoggedOnce) {
  const std::string dir = TempDir();
  Stores s;
  StateKeeper keeper(s.view());
  Messages log;
  keeper.Start(SettingsFor(dir + "/no/such/dir/state", &log));
  keeper.RequestSave();
  ASSERT_TRUE(WaitFor([&] { return keeper.status().save_errors == 1; }));
  keeper.RequestSave();
  ASSERT_TRUE(WaitFor([&] { return keeper.status().save_errors == 2; }));
  keeper.Stop(/*final_save=*/false);
  std::lock_guard<std::mutex> lock(log.mu);
  EXPECT_EQ(log.lines.size(), 1u);
  EXPECT_NE(log.lines[0].find("cannot save the state file"), std::string::npos);
}

}  // namespace
}  // namespace lockdiag
