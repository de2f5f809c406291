// Tests of the task store: ids, create/read/update/write, listing, expiry, private state,
// file modes, and concurrent updates from two processes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "core/errors.hpp"
#include "core/testing/python_task.hpp"
#include "store/files.hpp"
#include "store/task_store.hpp"
#include "support/temp_dir.hpp"

namespace sw::store {
namespace {

using core::TaskStatus;
using namespace std::chrono_literals;

const core::TimePoint kT0 = *core::parse_iso("2025-12-01T14:30:22.512345");

core::Task make_task(const std::string& id, core::TimePoint created = kT0, TaskStatus status = TaskStatus::queued,
                     const std::string& pool = "nessus", const std::string& targets = "192.168.1.0/24") {
  core::Task task;
  task.task_id = id;
  task.trace_id = "550e8400-e29b-41d4-a716-446655440000";
  task.scan_type = "untrusted";
  task.status = status;
  task.created_at = created;
  task.scanner_pool = pool;
  task.payload = {{"targets", targets}, {"name", "Network Scan"}, {"description", ""}, {"schema_profile", "brief"}};
  return task;
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

std::string file_text(const std::filesystem::path& path) { return read_whole_file(path).value_or(""); }

class TaskStoreTest : public ::testing::Test {
 protected:
  sw::testing::TempDir dir_;
  std::filesystem::path data_dir_ = dir_.path() / "tasks";
  TaskStore store_{data_dir_};
};

TEST_F(TaskStoreTest, BadIdsNeverBecomePaths) {
  for (const char* bad : {"", ".", "..", "../etc", "a/b", "/abs", "x y", "caf\xc3\xa9"}) {
    try {
      store_.task_dir(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const core::Error& error) {
      EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    }
    EXPECT_THROW(store_.read(bad), core::Error) << bad;
    EXPECT_THROW(store_.update(bad, [](core::Task&) {}), core::Error) << bad;
    EXPECT_THROW(store_.write_private(bad, nlohmann::json::object()), core::Error) << bad;
  }
  core::Task task = make_task("ok");
  task.task_id = "../escape";
  EXPECT_THROW(store_.create(task), core::Error);
  EXPECT_THROW(store_.write(task), core::Error);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "escape"));
}

TEST_F(TaskStoreTest, PathsOfATask) {
  EXPECT_EQ(store_.task_dir("ne_scan_1"), data_dir_ / "ne_scan_1");
  EXPECT_EQ(store_.export_path("ne_scan_1"), data_dir_ / "ne_scan_1" / "scan_native.nessus");
}

TEST_F(TaskStoreTest, CreateWritesOnceWithPrivateModes) {
  const core::Task task = make_task("ne_scan_20251201_143022_a1b2c3d4");
  EXPECT_TRUE(store_.create(task));
  core::Task other = task;
  other.scan_type = "authenticated";
  EXPECT_FALSE(store_.create(other));
  EXPECT_EQ(store_.read(task.task_id)->scan_type, "untrusted");

  const auto folder = store_.task_dir(task.task_id);
  EXPECT_EQ(mode_of(data_dir_), 0700u);
  EXPECT_EQ(mode_of(folder), 0700u);
  EXPECT_EQ(mode_of(folder / "task.json"), 0600u);

  const auto json = nlohmann::json::parse(file_text(folder / "task.json"));
  EXPECT_EQ(json.size(), core::task_json_keys().size());
  for (const auto& key : core::task_json_keys()) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
}

TEST_F(TaskStoreTest, CredentialsAreStoredRedacted) {
  core::Task task = make_task("cred");
  task.scan_type = "authenticated";
  task.payload["credentials"] = {
      {"type", "ssh"}, {"username", "root"}, {"password", "hunter2"}, {"escalation_password", "sudo-secret"}};
  store_.write(task);
  const std::string text = file_text(store_.task_dir("cred") / "task.json");
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("sudo-secret"), std::string::npos);
  EXPECT_EQ(store_.read("cred")->payload["credentials"]["password"], "********");
}

TEST_F(TaskStoreTest, ReadsAPythonWrittenFile) {
  const std::string python = core::testing::kPythonTaskJson;
  const auto folder = data_dir_ / "ne_scan_20251201_143022_a1b2c3d4";
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "task.json") << python;
  const auto task = store_.read("ne_scan_20251201_143022_a1b2c3d4");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->status, TaskStatus::completed);
  EXPECT_EQ(task->nessus_scan_id, 42);
  store_.write(*task);
  EXPECT_EQ(nlohmann::json::parse(file_text(folder / "task.json")), nlohmann::json::parse(python));
}

TEST_F(TaskStoreTest, ReadOfMissingAndBrokenFiles) {
  EXPECT_EQ(store_.read("absent"), std::nullopt);
  std::filesystem::create_directories(data_dir_ / "broken");
  std::ofstream(data_dir_ / "broken" / "task.json") << "{\"task_id\": \"broken\", ";
  try {
    store_.read("broken");
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("broken"), std::string::npos);
  }
  store_.write(make_task("other"));
  std::filesystem::create_directories(data_dir_ / "renamed");
  std::filesystem::copy_file(data_dir_ / "other" / "task.json", data_dir_ / "renamed" / "task.json");
  EXPECT_THROW(store_.read("renamed"), core::Error);
}

TEST_F(TaskStoreTest, AnOversizedTaskFileIsReportedNotLoaded) {
  std::filesystem::create_directories(data_dir_ / "huge");
  {
    std::ofstream out(data_dir_ / "huge" / "task.json");
    out << "{\"task_id\": \"huge\", \"pad\": \"" << std::string(kMaxTaskFileBytes, 'x') << "\"}";
  }
  try {
    store_.read("huge");
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("more than the " + std::to_string(kMaxTaskFileBytes)), std::string::npos)
        << error.what();
  }
  store_.write(make_task("fine"));
  const auto listed = store_.list();
  ASSERT_EQ(listed.size(), 1u);  // the oversized one is skipped, the others listed
  EXPECT_EQ(listed[0].task_id, "fine");
}

TEST_F(TaskStoreTest, UpdateChecksTransitions) {
  store_.create(make_task("t1"));
  const core::Task running = store_.update("t1", [](core::Task& t) {
    t.status = TaskStatus::running;
    t.started_at = kT0 + 3s;
  });
  EXPECT_EQ(running.status, TaskStatus::running);
  store_.update("t1", [](core::Task& t) { t.nessus_scan_id = 42; });  // running -> running
  store_.update("t1", [](core::Task& t) {
    t.status = TaskStatus::completed;
    t.completed_at = kT0 + 60s;
  });
  const auto stored = store_.read("t1");
  EXPECT_EQ(stored->status, TaskStatus::completed);
  EXPECT_EQ(stored->nessus_scan_id, 42);
  EXPECT_EQ(stored->started_at, kT0 + 3s);

  try {
    store_.update("t1", [](core::Task& t) { t.status = TaskStatus::running; });
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("completed"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("running"), std::string::npos);
  }
  EXPECT_EQ(store_.read("t1")->status, TaskStatus::completed);

  store_.create(make_task("t2"));
  EXPECT_THROW(store_.update("t2", [](core::Task& t) { t.status = TaskStatus::completed; }), core::Error);
  EXPECT_THROW(store_.update("t2", [](core::Task& t) { t.task_id = "t3"; }), core::Error);
  EXPECT_THROW(store_.update("t2", [](core::Task&) { throw std::runtime_error("change failed"); }), std::runtime_error);
  EXPECT_EQ(store_.read("t2")->status, TaskStatus::queued);
}

TEST_F(TaskStoreTest, UpdateOfAMissingTaskIsNotFound) {
  for (const char* id : {"never", "folder_only"}) {
    if (std::string(id) == "folder_only") {
      std::filesystem::create_directories(data_dir_ / id);
    }
    try {
      store_.update(id, [](core::Task&) {});
      FAIL() << "expected an error for " << id;
    } catch (const core::Error& error) {
      EXPECT_EQ(error.kind(), core::ErrorKind::not_found) << id;
    }
  }
}

TEST_F(TaskStoreTest, WriteReplacesUnconditionally) {
  store_.write(make_task("w"));
  core::Task task = make_task("w", kT0, TaskStatus::failed);
  task.error_message = "scanner refused";
  store_.write(task);
  EXPECT_EQ(store_.read("w")->error_message, "scanner refused");
}

TEST_F(TaskStoreTest, ListIsNewestFirstAndFilters) {
  store_.create(make_task("old", kT0, TaskStatus::completed, "nessus", "10.0.0.0/24"));
  store_.create(make_task("mid", kT0 + 1h, TaskStatus::failed, "nessus_dmz", "host.example, 10.1.0.5"));
  store_.create(make_task("new", kT0 + 2h, TaskStatus::queued, "nessus", "10.0.0.7-10.0.0.9"));

  const auto ids = [](const std::vector<core::Task>& tasks) {
    std::vector<std::string> result;
    for (const auto& task : tasks) {
      result.push_back(task.task_id);
    }
    return result;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids(store_.list()), (Ids{"new", "mid", "old"}));
  const auto filter = [](std::optional<TaskStatus> status, std::optional<std::string> pool,
                         std::optional<std::string> target, std::size_t limit = 0) {
    TaskFilter result;
    result.status = status;
    result.pool = std::move(pool);
    result.target = std::move(target);
    result.limit = limit;
    return result;
  };
  EXPECT_EQ(ids(store_.list(filter(TaskStatus::failed, {}, {}))), (Ids{"mid"}));
  EXPECT_EQ(ids(store_.list(filter({}, "nessus", {}))), (Ids{"new", "old"}));
  EXPECT_EQ(ids(store_.list(filter({}, {}, "10.0.0.8"))), (Ids{"new", "old"}));
  EXPECT_EQ(ids(store_.list(filter({}, {}, "10.0.0.5"))), (Ids{"old"}));
  EXPECT_EQ(ids(store_.list(filter({}, {}, "10.0.0.0/16"))), (Ids{"new", "old"}));
  EXPECT_EQ(ids(store_.list(filter({}, {}, "HOST.example"))), (Ids{"mid"}));
  EXPECT_EQ(ids(store_.list(filter({}, {}, "10.2.0.0/16"))), Ids{});
  EXPECT_EQ(ids(store_.list(filter({}, "nessus", {}, 1))), (Ids{"new"}));
  EXPECT_EQ(ids(store_.list(filter(TaskStatus::queued, "nessus_dmz", {}))), Ids{});
  EXPECT_THROW(store_.list(filter({}, {}, "10.0.0.0/99")), core::Error);
}

TEST_F(TaskStoreTest, ListSkipsWhatIsNotAReadableTask) {
  store_.create(make_task("good"));
  std::filesystem::create_directories(data_dir_ / "corrupt");
  std::ofstream(data_dir_ / "corrupt" / "task.json") << "not json";
  std::filesystem::create_directories(data_dir_ / "empty_folder");
  std::filesystem::create_directories(data_dir_ / "bad name");
  std::ofstream(data_dir_ / "stray_file") << "x";
  std::filesystem::create_directory_symlink(data_dir_ / "good", data_dir_ / "link");
  const auto tasks = store_.list();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].task_id, "good");
}

TEST_F(TaskStoreTest, ListOfAMissingDataDirIsEmpty) { EXPECT_TRUE(store_.list().empty()); }

TEST_F(TaskStoreTest, ExpireByStatusAndAge) {
  const core::TimePoint now = kT0 + 100 * 24h;
  const auto add = [&](const std::string& id, TaskStatus status, core::TimePoint created,
                       std::optional<core::TimePoint> completed) {
    core::Task task = make_task(id, created, status);
    task.completed_at = completed;
    store_.write(task);
  };
  add("completed_old", TaskStatus::completed, now - 20 * 24h, now - 8 * 24h);
  add("completed_recent", TaskStatus::completed, now - 20 * 24h, now - 6 * 24h);
  add("failed_old", TaskStatus::failed, now - 40 * 24h, now - 31 * 24h);
  add("failed_recent", TaskStatus::failed, now - 40 * 24h, now - 8 * 24h);
  add("timeout_no_completed_at", TaskStatus::timeout, now - 31 * 24h, std::nullopt);
  add("queued_ancient", TaskStatus::queued, now - 365 * 24h, std::nullopt);
  add("running_ancient", TaskStatus::running, now - 365 * 24h, std::nullopt);
  std::ofstream(store_.export_path("completed_old")) << std::string(1000, 'x');

  const std::uintmax_t expected_bytes =
      std::filesystem::file_size(store_.task_dir("completed_old") / "task.json") + 1000 +
      std::filesystem::file_size(store_.task_dir("failed_old") / "task.json") +
      std::filesystem::file_size(store_.task_dir("timeout_no_completed_at") / "task.json");

  const ExpiryReport report = store_.expire(now, 7 * 24h, 30 * 24h);
  EXPECT_EQ(report.completed, 1u);
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(report.timeout, 1u);
  EXPECT_EQ(report.deleted(), 3u);
  EXPECT_GE(report.bytes_freed, expected_bytes);  // plus the lock files (empty)
  EXPECT_EQ(report.bytes_freed, expected_bytes);

  for (const char* gone : {"completed_old", "failed_old", "timeout_no_completed_at"}) {
    EXPECT_FALSE(std::filesystem::exists(data_dir_ / gone)) << gone;
  }
  for (const char* kept : {"completed_recent", "failed_recent", "queued_ancient", "running_ancient"}) {
    EXPECT_TRUE(store_.read(kept)) << kept;
  }
  EXPECT_EQ(store_.expire(now, 7 * 24h, 30 * 24h).deleted(), 0u);
}

TEST_F(TaskStoreTest, ExpireNeverFollowsLinksOutOfDataDir) {
  const auto outside = dir_.path() / "outside";
  std::filesystem::create_directories(outside);
  std::ofstream(outside / "precious") << "keep me";

  core::Task task = make_task("expired", kT0, TaskStatus::completed);
  task.completed_at = kT0;
  store_.write(task);
  std::filesystem::create_directory_symlink(outside, store_.task_dir("expired") / "link_to_outside");

  // A task folder elsewhere, linked into DATA_DIR under a task name.
  const auto foreign = dir_.path() / "foreign_task";
  TaskStore(dir_.path()).write([&] {
    core::Task t = make_task("foreign_task", kT0, TaskStatus::completed);
    t.completed_at = kT0;
    return t;
  }());
  std::filesystem::create_directory_symlink(foreign, data_dir_ / "linked_task");

  const auto report = store_.expire(kT0 + 365 * 24h, 1s, 1s);
  EXPECT_EQ(report.completed, 1u);
  EXPECT_FALSE(std::filesystem::exists(store_.task_dir("expired")));
  EXPECT_EQ(file_text(outside / "precious"), "keep me");
  EXPECT_TRUE(std::filesystem::exists(foreign / "task.json"));
}

TEST_F(TaskStoreTest, PrivateStateIsBesideTaskJsonAndHiddenFromIt) {
  EXPECT_EQ(store_.read_private("p"), std::nullopt);
  store_.create(make_task("p"));
  const nlohmann::json state = {{"run_uuid", "abc"}, {"lease", 3}};
  store_.write_private("p", state);
  EXPECT_EQ(store_.read_private("p"), state);
  EXPECT_EQ(mode_of(store_.task_dir("p") / "worker_state.json"), 0600u);
  EXPECT_EQ(file_text(store_.task_dir("p") / "task.json").find("run_uuid"), std::string::npos);
  store_.update("p", [](core::Task& t) { t.status = TaskStatus::running; });
  EXPECT_EQ(store_.read_private("p"), state);

  std::ofstream(store_.task_dir("p") / "worker_state.json") << "{broken";
  EXPECT_THROW(store_.read_private("p"), core::Error);
}

// Two processes update one task many times while this one reads it: every read sees a
// whole task, and no update is lost.
TEST_F(TaskStoreTest, ConcurrentUpdatesFromTwoProcessesNeverTearTheFile) {
  constexpr int kUpdatesPerProcess = 100;
  core::Task task = make_task("shared", kT0, TaskStatus::running);
  task.nessus_scan_id = 0;
  store_.create(task);

  std::vector<pid_t> children;
  for (int child = 0; child < 2; ++child) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      try {
        TaskStore store(data_dir_);
        for (int i = 0; i < kUpdatesPerProcess; ++i) {
          store.update("shared", [&](core::Task& t) {
            t.nessus_scan_id = *t.nessus_scan_id + 1;
            t.validation_warnings.push_back("process " + std::to_string(child) + " update " + std::to_string(i) +
                                            std::string(static_cast<std::size_t>(i % 7) * 50, '.'));
          });
        }
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
    children.push_back(pid);
  }

  const auto all_exited = [&] {
    for (const pid_t pid : children) {
      if (pid > 0) {
        return false;
      }
    }
    return true;
  };
  int reads = 0;
  while (!all_exited()) {
    const auto seen = store_.read("shared");  // throws on a torn or mixed file
    ASSERT_TRUE(seen);
    EXPECT_EQ(static_cast<std::size_t>(*seen->nessus_scan_id), seen->validation_warnings.size());
    ++reads;
    for (pid_t& pid : children) {
      int status = 0;
      if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid) {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        pid = 0;
      }
    }
  }
  EXPECT_GT(reads, 0);
  const auto final_task = store_.read("shared");
  EXPECT_EQ(final_task->nessus_scan_id, 2 * kUpdatesPerProcess);
  EXPECT_EQ(final_task->validation_warnings.size(), 2u * kUpdatesPerProcess);
  for (const auto& entry : std::filesystem::directory_iterator(store_.task_dir("shared"))) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace sw::store
