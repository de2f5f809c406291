// The scanner-worker binary refuses a REDIS_URL whose password holds an unencoded '/'
// at start (exit 2), and neither its output nor its error shows any part of the password.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sw::queue {
namespace {

using namespace std::chrono_literals;

TEST(WorkerRedisUrl, UnencodedSlashInThePasswordStopsTheWorkerWithoutShowingIt) {
  testing::TempDir dir;
  const std::string stderr_path = (dir.path() / "stderr.txt").string();
  for (const std::string url :
       {"redis://:hunter2/secretpart@127.0.0.1:6379/0", "rediss://scanner:hunter2?secretpart@127.0.0.1:6379"}) {
    std::ofstream(stderr_path, std::ios::trunc).flush();
    testing::ChildProcess worker({testing::program_path("scanner-worker")},
                                 {{"REDIS_URL", url},
                                  {"DATA_DIR", (dir.path() / "tasks").string()},
                                  {"SCANNER_CONFIG", (dir.path() / "absent.yaml").string()},
                                  {"METRICS_ADDR", ""}},
                                 stderr_path);
    EXPECT_EQ(worker.wait(30s), 2) << url;
    const std::string output = worker.drain_stdout();
    std::stringstream errors;
    errors << std::ifstream(stderr_path).rdbuf();
    EXPECT_NE(errors.str().find("REDIS_URL"), std::string::npos) << errors.str();
    EXPECT_NE(errors.str().find("percent-encode"), std::string::npos) << errors.str();
    for (const char* secret_part : {"hunter2", "secretpart"}) {
      EXPECT_EQ(output.find(secret_part), std::string::npos) << output;
      EXPECT_EQ(errors.str().find(secret_part), std::string::npos) << errors.str();
    }
  }
}

}  // namespace
}  // namespace sw::queue
