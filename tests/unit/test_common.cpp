#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/child_process.hpp"
#include "common/diagnostics.hpp"
#include "common/output_path.hpp"
#include "common/tolerance.hpp"
#include "support/temp_folder.hpp"

using namespace xbar;

TEST_CASE("tolerance is relative with an absolute floor") {
  Tolerance t{1e-6, 1e-12};
  CHECK(t.accepts(1.0, 1.0 + 0.9e-6));
  CHECK_FALSE(t.accepts(1.0, 1.0 + 1.1e-6));
  CHECK(t.accepts(0.0, 0.5e-12));  // the floor rules near zero
  CHECK_FALSE(t.accepts(0.0, 2e-12));
  CHECK(t.accepts(-2.0, -2.0 - 1.9e-6));  // relative to |expected|
  CHECK_FALSE(t.accepts(1.0, std::nan("")));
  // The rule under test cannot check itself: plain arithmetic here.
  CHECK(std::fabs(t.ratio(1.0, 1.0 + 0.5e-6) - 0.5) <= 1e-9);
}

TEST_CASE("relative difference is signed and handles zero") {
  CHECK(relative_difference(2.0, 1.0) == -0.5);  // exact in binary
  CHECK(relative_difference(-2.0, -1.0) == 0.5);
  CHECK(relative_difference(0.0, 0.0) == 0.0);
  CHECK(std::isinf(relative_difference(0.0, 1.0)));
}

TEST_CASE("diagnostics render as file:line:col: error: message") {
  Diagnostics d;
  d.error({"a.yaml", 3, 7}, "bad value");
  d.error({"a.yaml", 0, 0}, "no position");
  CHECK(d.items()[0].str() == "a.yaml:3:7: error: bad value");
  CHECK(d.items()[1].str() == "a.yaml: error: no position");
  InputError e(d);
  CHECK(e.diagnostics().size() == 2);
  CHECK(std::string(e.what()) == "a.yaml:3:7: error: bad value");
}

TEST_CASE("atomic write leaves the old file when the writer throws") {
  namespace fs = std::filesystem;
  const fs::path dir = testing::fresh_folder("xbar_test_atomic");
  const fs::path f = dir / "x.txt";
  write_file_atomically(f, "first");
  CHECK_THROWS(write_file_atomically(f, [](std::ostream& o) {
    o << "partial";
    throw std::runtime_error("boom");
  }));
  std::ifstream in(f);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "first");
  // No temporary left behind.
  int n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n;
  CHECK(n == 1);
  fs::remove_all(dir);
}

TEST_CASE("atomic write refuses a symlink or FIFO at the target and leaves it; removes a killed write's temporary") {
  namespace fs = std::filesystem;
  const fs::path dir = testing::fresh_folder("xbar_test_atomic_special");
  write_file_atomically(dir / "target", "keep");
  fs::create_symlink(dir / "target", dir / "link");
  CHECK_THROWS_AS(write_file_atomically(dir / "link", "new"), fs::filesystem_error);
  CHECK(fs::is_symlink(fs::symlink_status(dir / "link")));
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);
  CHECK_THROWS_AS(write_file_atomically(dir / "fifo", "new"), fs::filesystem_error);
  CHECK(fs::is_fifo(dir / "fifo"));
  CHECK(output_file_problem(dir / "link").find("symbolic link") != std::string::npos);
  CHECK(output_file_problem(dir / "fifo").find("FIFO") != std::string::npos);
  std::ifstream in(dir / "target");
  std::string text;
  in >> text;
  CHECK(text == "keep");
  // What a write killed between open and rename leaves behind.
  std::ofstream(dir / ".target.tmp0123abcd") << "torn";
  write_file_atomically(dir / "target", "again");
  CHECK_FALSE(fs::exists(dir / ".target.tmp0123abcd"));
  fs::remove_all(dir);
}

TEST_CASE("an output folder nothing can be created in is refused before any work") {
  CHECK(output_dir_problem("/proc").find("cannot create anything in '/proc'") != std::string::npos);
  CHECK(output_dir_problem("/proc/xbar_new/deeper").find("cannot create anything") != std::string::npos);
}

TEST_CASE("output paths are checked before any work, without creating anything") {
  namespace fs = std::filesystem;
  const fs::path dir = testing::fresh_folder("xbar_test_outpath");
  write_file_atomically(dir / "a_file", "x");
  CHECK(output_dir_problem(dir / "new" / "deeper").empty());
  CHECK_FALSE(fs::exists(dir / "new"));  // only checked, not made
  CHECK(output_dir_problem(dir / "a_file").find("is a file") != std::string::npos);
  CHECK(output_dir_problem(dir / "a_file" / "sub").find("is a file") != std::string::npos);
  CHECK_FALSE(output_dir_problem("").empty());
  CHECK(output_file_problem(dir / "net.cir").empty());
  CHECK(output_file_problem(dir).find("is a folder") != std::string::npos);
  CHECK(output_file_problem(dir / "missing" / "net.cir").find("does not exist") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("child processes: frames cross the channel whole, endings are classified, no child is left") {
  // A two-way child echoes frames back until its channel closes.
  proc::Child echo = proc::Child::spawn({.two_way = true}, [](int fd) {
    std::string in;
    while (proc::read_some(fd, in) == proc::ReadStatus::kData)
      while (auto f = proc::take_frame(in, [](std::uint8_t, std::uint64_t) { return true; }))
        proc::write_all(fd, proc::encode_frame(f->kind, f->payload));
  });
  const std::string big(300000, 'x');  // larger than one read and one socket buffer
  REQUIRE(proc::write_all(echo.fd(), proc::encode_frame(7, big) + proc::encode_frame(2, "")));
  std::string in;
  std::vector<proc::RawFrame> got;
  while (got.size() < 2 && proc::read_some(echo.fd(), in) == proc::ReadStatus::kData)
    while (auto f = proc::take_frame(in, [](std::uint8_t, std::uint64_t) { return true; })) got.push_back(*f);
  REQUIRE(got.size() == 2);
  CHECK(got[0].kind == 7);
  CHECK(got[0].payload == big);
  CHECK(got[1].kind == 2);
  CHECK(got[1].payload.empty());
  const int status = echo.retire(std::chrono::milliseconds(2000));  // closing the channel ends it
  CHECK(proc::exit_code(status) == 0);
  CHECK_FALSE(echo.running());

  // A header the reader refuses is an error as soon as it arrives, payload or not.
  std::string corrupt = proc::encode_frame_header(9, 1u << 30);
  CHECK_THROWS_AS(proc::take_frame(corrupt, [](std::uint8_t kind, std::uint64_t) { return kind < 9; }),
                  proc::FrameError);

  proc::Child crash = proc::Child::spawn({}, [](int) {
    proc::restore_crash_signals();
    ::raise(SIGSEGV);
  });
  CHECK(proc::ending_signal(crash.reap()) == SIGSEGV);
  CHECK(proc::signal_description(SIGSEGV) == "Segmentation fault");

  // A hung child dropped by its owner is killed and reaped, not left behind.
  pid_t hung_pid = 0;
  {
    proc::Child hung = proc::Child::spawn({.own_group = true}, [](int) {
      while (true) ::pause();
    });
    hung_pid = hung.pid();
    const proc::Deadline deadline(0.05);
    CHECK(deadline.set());
    CHECK(deadline.poll_timeout_ms() <= 50);
    CHECK(deadline.poll_timeout_ms(10) <= 10);
  }
  CHECK(::kill(hung_pid, 0) != 0);  // gone: reaped, not a zombie
  CHECK(proc::Deadline().poll_timeout_ms() == -1);
  CHECK(proc::Deadline(0).poll_timeout_ms(250) == 250);
}
