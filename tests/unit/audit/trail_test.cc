#include "core/audit/trail.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lockdiag {
namespace {

// RecordingSink: what a TrailSink is given, and on which thread.
class RecordingSink : public TrailSink {
 public:
  void Write(const std::string& line) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(line);
    threads_.push_back(std::this_thread::get_id());
  }
  void Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closes_++;
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }
  int closes() {
    std::lock_guard<std::mutex> lock(mu_);
    return closes_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
  std::vector<std::thread::id> threads_;
  int closes_ = 0;
};

class TrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lockdiag-trail-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/trail.log";
  }
  void TearDown() override {
    trail_.Stop();
    (void)std::system(("rm -rf " + dir_).c_str());
  }
  static std::vector<std::string> Lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  Trail::Settings Settings(uint64_t rotate_size = 0, unsigned rotations = 9) {
    Trail::Settings s;
    s.path = path_;
    s.rotate_size = rotate_size;
    s.rotations = rotations;
    return s;
  }
  std::string dir_;
  std::string path_;
  // Before trail_: the sinks outlive the writer (TearDown stops it).
  RecordingSink sink_;
  RecordingSink other_sink_;
  Trail trail_;
};

TEST_F(TrailTest, OffUntilConfiguredWithAPath) {
  EXPECT_FALSE(trail_.enabled());
  EXPECT_FALSE(trail_.Append("x"));
  EXPECT_EQ(trail_.status().dropped, 0u) << "an off trail drops nothing: it records nothing";
  trail_.Configure(Trail::Settings{});
  EXPECT_FALSE(trail_.enabled());
}

TEST_F(TrailTest, AppendsLinesInOrderToAPrivateFile) {
  trail_.Configure(Settings());
  ASSERT_TRUE(trail_.enabled());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(trail_.Append("{\"n\":" + std::to_string(i) + "}"));
  trail_.Flush();
  const auto lines = Lines(path_);
  ASSERT_EQ(lines.size(), 100u);
  EXPECT_EQ(lines.front(), "{\"n\":0}");
  EXPECT_EQ(lines.back(), "{\"n\":99}");
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(trail_.status().written, 100u);
}

TEST_F(TrailTest, RefusesASymlinkInTheFilesPlaceAndCountsTheLoss) {
  const std::string target = dir_ + "/elsewhere";
  ASSERT_EQ(symlink(target.c_str(), path_.c_str()), 0);
  trail_.Configure(Settings());
  ASSERT_TRUE(trail_.Append("secret"));
  trail_.Flush();
  EXPECT_NE(access(target.c_str(), F_OK), 0) << "the symlink was followed";
  const Trail::Status st = trail_.status();
  EXPECT_EQ(st.written, 0u);
  EXPECT_EQ(st.dropped, 1u);
  EXPECT_GE(st.open_failures, 1u);
  EXPECT_NE(st.last_error.find("cannot open"), std::string::npos) << st.last_error;
}

// A file another user created in the trail's place (in a directory others
// can write) would let that user read every line, whatever its mode.
TEST_F(TrailTest, RefusesAFileAnotherUserOwns) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  std::ofstream(path_) << "";
  ASSERT_EQ(chmod(path_.c_str(), 0666), 0);
  ASSERT_EQ(chown(path_.c_str(), 65534, 65534), 0);
  trail_.Configure(Settings());
  ASSERT_TRUE(trail_.Append("secret"));
  trail_.Flush();
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0) << "a line went to another user's file";
  const Trail::Status status = trail_.status();
  EXPECT_EQ(status.written, 0u);
  EXPECT_EQ(status.dropped, 1u);
  EXPECT_NE(status.last_error.find("owned by another user"), std::string::npos) << status.last_error;
}

TEST_F(TrailTest, RotatedFilesStayPrivateAndALinkAtFile1IsNotFollowed) {
  const std::string target = dir_ + "/elsewhere";
  ASSERT_EQ(symlink(target.c_str(), (path_ + ".1").c_str()), 0);
  trail_.Configure(Settings());
  ASSERT_TRUE(trail_.Append("first"));
  trail_.Flush();
  trail_.RotateNow();
  ASSERT_TRUE(trail_.Append("second"));
  trail_.Flush();
  EXPECT_NE(access(target.c_str(), F_OK), 0) << "the symlink was followed";
  for (const std::string& f : {path_, path_ + ".1"}) {
    struct stat st;
    ASSERT_EQ(lstat(f.c_str(), &st), 0) << f;
    EXPECT_TRUE(S_ISREG(st.st_mode)) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  EXPECT_EQ(Lines(path_ + ".1"), std::vector<std::string>{"first"});
  EXPECT_EQ(Lines(path_), std::vector<std::string>{"second"});
}

TEST_F(TrailTest, RotatesBySizeAndOnRequest) {
  trail_.Configure(Settings(/*rotate_size=*/25, /*rotations=*/2));
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(trail_.Append("line-" + std::to_string(i) + "-xxxx"));  // 12 bytes
  trail_.Flush();
  // Two lines fit in 25 bytes: FILE holds 4,5, FILE.1 2,3, FILE.2 0,1.
  EXPECT_EQ(Lines(path_), (std::vector<std::string>{"line-4-xxxx", "line-5-xxxx"}));
  EXPECT_EQ(Lines(path_ + ".1"), (std::vector<std::string>{"line-2-xxxx", "line-3-xxxx"}));
  EXPECT_EQ(Lines(path_ + ".2"), (std::vector<std::string>{"line-0-xxxx", "line-1-xxxx"}));
  trail_.RotateNow();
  ASSERT_TRUE(trail_.Append("after"));
  trail_.Flush();
  EXPECT_EQ(Lines(path_), std::vector<std::string>{"after"});
  EXPECT_EQ(Lines(path_ + ".1"), (std::vector<std::string>{"line-4-xxxx", "line-5-xxxx"}));
  EXPECT_NE(access((path_ + ".3").c_str(), F_OK), 0) << "only 2 rotations are kept";
}

TEST_F(TrailTest, AFullQueueDropsInsteadOfWaiting) {
  // A path in a folder that does not exist: the writer cannot write, and
  // Append must still return at once.
  Trail::Settings s = Settings();
  s.path = dir_ + "/missing/trail.log";
  trail_.Configure(s);
  size_t accepted = 0;
  for (size_t i = 0; i < Trail::kMaxQueuedLines * 3; ++i) accepted += trail_.Append("x") ? 1 : 0;
  trail_.Flush();
  const Trail::Status st = trail_.status();
  EXPECT_EQ(st.written, 0u);
  EXPECT_EQ(st.dropped, Trail::kMaxQueuedLines * 3) << "queued lines that failed count as dropped too";
  EXPECT_GE(accepted, 1u);
}

TEST_F(TrailTest, AnotherPathTakesEffectForTheNextLines) {
  trail_.Configure(Settings());
  ASSERT_TRUE(trail_.Append("one"));
  trail_.Flush();
  Trail::Settings s = Settings();
  s.path = dir_ + "/other.log";
  trail_.Configure(s);
  ASSERT_TRUE(trail_.Append("two"));
  trail_.Flush();
  EXPECT_EQ(Lines(path_), std::vector<std::string>{"one"});
  EXPECT_EQ(Lines(dir_ + "/other.log"), std::vector<std::string>{"two"});
}

TEST_F(TrailTest, StopWritesWhatIsQueued) {
  trail_.Configure(Settings());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(trail_.Append("l"));
  trail_.Stop();
  EXPECT_EQ(Lines(path_).size(), 1000u);
  EXPECT_FALSE(trail_.Append("late"));
}

TEST_F(TrailTest, ASinkGetsEveryLineOnTheWriterThreadAndTheFileStill) {
  RecordingSink& sink = sink_;
  Trail::Settings s = Settings();
  s.sink = &sink;
  trail_.Configure(s);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(trail_.Append("{\"n\":" + std::to_string(i) + "}"));
  trail_.Flush();
  const std::vector<std::string> lines = sink.lines();
  EXPECT_EQ(lines, Lines(path_));
  ASSERT_EQ(lines.size(), 50u);
  EXPECT_EQ(lines.back(), "{\"n\":49}") << "no newline is added";
  for (std::thread::id t : sink.threads())
    EXPECT_NE(t, std::this_thread::get_id()) << "written by Append's caller";
  EXPECT_EQ(trail_.status().written, 50u);
}

TEST_F(TrailTest, ASinkWithoutAFileGetsTheLinesAlone) {
  RecordingSink& sink = sink_;
  Trail::Settings s;
  s.sink = &sink;
  trail_.Configure(s);
  ASSERT_TRUE(trail_.enabled());
  ASSERT_TRUE(trail_.Append("a"));
  ASSERT_TRUE(trail_.Append("b"));
  trail_.Flush();
  EXPECT_EQ(sink.lines(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(trail_.status().written, 2u);
  EXPECT_EQ(trail_.status().dropped, 0u);
  EXPECT_NE(access(path_.c_str(), F_OK), 0) << "no file was configured";
}

TEST_F(TrailTest, ASinkIsClosedWhenReplacedAndAtStop) {
  RecordingSink& first = sink_;
  RecordingSink& second = other_sink_;
  Trail::Settings s = Settings();
  s.sink = &first;
  trail_.Configure(s);
  ASSERT_TRUE(trail_.Append("one"));
  trail_.Flush();
  s.sink = &second;
  trail_.Configure(s);
  ASSERT_TRUE(trail_.Append("two"));
  trail_.Flush();
  EXPECT_EQ(first.lines(), std::vector<std::string>{"one"});
  EXPECT_EQ(first.closes(), 1);
  EXPECT_EQ(second.lines(), std::vector<std::string>{"two"});
  EXPECT_EQ(second.closes(), 0);
  s.sink = nullptr;  // lockdiag_log_syslog=OFF
  trail_.Configure(s);
  ASSERT_TRUE(trail_.Append("three"));
  trail_.Flush();
  EXPECT_EQ(second.closes(), 1);
  EXPECT_EQ(second.lines(), std::vector<std::string>{"two"});
  s.sink = &second;
  trail_.Configure(s);
  ASSERT_TRUE(trail_.Append("four"));
  trail_.Stop();
  EXPECT_EQ(second.lines(), (std::vector<std::string>{"two", "four"})) << "Stop writes what is queued";
  EXPECT_EQ(second.closes(), 2);
  EXPECT_EQ(Lines(path_), (std::vector<std::string>{"one", "two", "three", "four"}));
}

}  // namespace
}  // namespace lockdiag
