// spice_bridge: in-process and isolated ngspice sessions.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "spice_bridge/child_protocol.hpp"
#include "spice_bridge/log_classifier.hpp"
#include "spice_bridge/sandbox.hpp"
#include "spice_bridge/simulator.hpp"
#include "spice_bridge/testing_hooks.hpp"
#include "support/close.hpp"
#include "support/env_for.hpp"

using namespace xbar;
using xbar::testing::close;
namespace fs = std::filesystem;

namespace {

using Netlist = std::vector<std::string>;

// A 1R crossbar in the project's conventions: driver V_i -> r_driver -> WL(i,0),
// word/bit-line segments, cells WL(i,j)-BL(i,j), sense source at each column's foot.
struct Crossbar {
  int rows = 4, cols = 4;
  double r_driver = 10, r_wl = 1, r_bl = 1;
  double g(int i, int j) const { return 1e-6 * (10 + (i * 7 + j * 3) % 90); }
  double v(int i) const { return 0.05 + 0.01 * (i % 16); }

  Netlist netlist() const {
    Netlist n{fmt::format("crossbar {}x{}", rows, cols)};
    for (int i = 0; i < rows; ++i) {
      n.push_back(fmt::format("vd{0} d{0} 0 dc {1:.17g}", i, v(i)));
      n.push_back(fmt::format("rd{0} d{0} wl{0}_0 {1:.17g}", i, r_driver));
      for (int j = 1; j < cols; ++j)
        n.push_back(fmt::format("rw{0}_{1} wl{0}_{2} wl{0}_{1} {3:.17g}", i, j, j - 1, r_wl));
      for (int j = 0; j < cols; ++j)
        n.push_back(fmt::format("rc{0}_{1} wl{0}_{1} bl{0}_{1} {2:.17g}", i, j, 1 / g(i, j)));
      if (i > 0)
        for (int j = 0; j < cols; ++j)
          n.push_back(fmt::format("rb{0}_{1} bl{2}_{1} bl{0}_{1} {3:.17g}", i, j, i - 1, r_bl));
    }
    for (int j = 0; j < cols; ++j) n.push_back(fmt::format("vs{0} bl{1}_{0} 0 dc 0", j, rows - 1));
    n.push_back(".options klu");
    n.push_back(".end");
    return n;
  }
};

const Netlist kDivider{"divider", "v1 in 0 dc 1", "r1 in mid 1k", "r2 mid 0 3k", ".end"};

// Resident set size in bytes, from /proc/self/statm.
double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// The SimulationError a call throws, or nullopt.
template <class F>
std::optional<SimulationError> error_of(F&& f) {
  try {
    f();
  } catch (const SimulationError& e) {
    return e;
  }
  return std::nullopt;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Sets an environment variable for one scope.
using test::EnvFor;

}  // namespace

// Moves a file out of the way for the lifetime of the object, then puts it back.
class SetAside {
 public:
  explicit SetAside(fs::path p)
      : path_(std::move(p)), backup_(path_.string() + fmt::format(".xbar-test-{}", getpid())) {
    if (fs::exists(fs::symlink_status(path_))) fs::rename(path_, backup_), moved_ = true;
  }
  ~SetAside() {
    std::error_code ec;
    fs::remove(path_, ec);
    if (moved_) fs::rename(backup_, path_, ec);
  }
  SetAside(const SetAside&) = delete;
  SetAside& operator=(const SetAside&) = delete;

 private:
  fs::path path_, backup_;
  bool moved_ = false;
};

TEST_CASE("start-up reads neither the site spinit nor any .spiceinit") {
  // ngspice reads its init files once per process, on first use, so this check
  // runs in a fresh copy of this program (whatever order the cases run in here,
  // and whatever used ngspice before): the copy runs this case alone.
  if (!std::getenv("XBAR_TEST_STARTUP_CHILD")) {
    const fs::path out = fs::temp_directory_path() / fmt::format("xbar-startup-child-{}.txt", getpid());
    const int status = std::system(fmt::format("XBAR_TEST_STARTUP_CHILD=1 '{}' '--test-case=start-up reads neither*' "
                                               "--no-intro >'{}' 2>&1",
                                               fs::read_symlink("/proc/self/exe").string(), out.string())
                                       .c_str());
    std::ifstream in(out);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fs::remove(out);
    CAPTURE(text);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    // The copy ran this case and its checks (not zero cases that pass vacuously).
    CHECK(contains(text, "test cases: 1 | 1 passed | 0 failed"));
    CHECK_FALSE(contains(text, "assertions: 0 "));
    CHECK(contains(text, " passed | 0 failed |"));
    return;
  }
  // Each init file redefines `op` as a harmless echo: had one been read, `op`
  // would produce no plot and the job would fail.  ngspice finds the home
  // folder with getpwuid, not $HOME, so the user's real home gets one too.
  const fs::path dir = fs::temp_directory_path() / fmt::format("xbar-spiceinit-test-{}", getpid());
  const passwd* pw = getpwuid(getuid());
  REQUIRE(pw != nullptr);
  const fs::path real_home_init = fs::path(pw->pw_dir) / ".spiceinit";
  SetAside keep_users_own(real_home_init);
  fs::create_directories(dir / "home");
  fs::create_directories(dir / "scripts");
  fs::create_directories(dir / "cwd");
  for (auto p : {dir / "home/.spiceinit", dir / "cwd/.spiceinit", dir / "scripts/spinit", real_home_init})
    std::ofstream(p) << "* hostile init file\nalias op echo HIJACKED\n";
  const fs::path old_cwd = fs::current_path();
  std::optional<SimResult> result;
  fs::current_path(dir / "cwd");
  {
    EnvFor home("HOME", (dir / "home").string());
    EnvFor scripts("SPICE_SCRIPTS", (dir / "scripts").string());
    result = make_ngspice_simulator()->run(kDivider, "op");  // first use: ngspice starts here
  }
  CHECK(fs::current_path() == dir / "cwd");  // start-up gave the working folder back
  fs::current_path(old_cwd);
  fs::remove_all(dir);
  REQUIRE(result);
  CHECK_FALSE(contains(result->log, "HIJACKED"));
  CHECK(result->vectors.contains("mid"));
}

TEST_CASE("voltage divider op is exact") {
  auto sim = make_ngspice_simulator();
  SimResult r = sim->run(kDivider, "op");
  CHECK(r.plot.starts_with("op"));
  REQUIRE(r.vectors.contains("mid"));
  REQUIRE(r.vectors.at("mid").size() == 1);
  CHECK(close(r.vectors.at("mid")[0], 0.75, 1e-12, 0));
  CHECK(close(r.vectors.at("in")[0], 1.0, 1e-12, 0));
  CHECK(close(r.vectors.at("v1#branch")[0], -1.0 / 4000, 1e-12, 0));  // branch current flows + to - inside
  CHECK(r.warnings.empty());
  CHECK(r.elapsed_s > 0);
}

TEST_CASE("names come back lower-case and numeric node names work") {
  SimResult r = make_ngspice_simulator()->run({"case", "V1 1 0 2", "R1 1 Out 1k", "R2 Out 0 1k", ".END"}, "op");
  REQUIRE(r.vectors.contains("out"));
  CHECK(close(r.vectors.at("out")[0], 1.0, 1e-12, 0));
  REQUIRE(r.vectors.contains("v(1)"));  // ngspice names a numeric node's vector v(N)
  CHECK(close(r.vectors.at("v(1)")[0], 2.0, 1e-12, 0));
}

TEST_CASE("a dc sweep of an index source returns every point") {
  SimResult r = make_ngspice_simulator()->run({"sweep", "vidx idx 0 dc 0", "r1 idx out 1k", "r2 out 0 1k", ".end"},
                                              "dc vidx 0 9 1");
  CHECK(r.plot.starts_with("dc"));
  REQUIRE(r.vectors.contains("out"));
  const auto out = r.vectors.at("out");
  REQUIRE(out.size() == 10);
  for (int k = 0; k < 10; ++k) CHECK(close(out[k], k / 2.0, 1e-12, 1e-15));
}

TEST_CASE("version and KLU") {
  auto sim = make_ngspice_simulator();
  const std::string v = sim->version();
  CHECK(v.starts_with("ngspice-"));
  CHECK(std::atoi(v.c_str() + 8) >= 46);
  CHECK(sim->has_klu());
}

TEST_CASE("a missing model fails and names the model") {
  auto e = error_of([] { make_ngspice_simulator()->run({"missing", "v1 a 0 1", "d1 a 0 nosuchdiode", ".end"}, "op"); });
  REQUIRE(e);
  CHECK(contains(e->what(), "nosuchdiode"));
  CHECK(contains(e->detail(), "could not find a valid modelname"));
}

TEST_CASE("a voltage-source loop fails") {
  auto e = error_of([] { make_ngspice_simulator()->run({"loop", "v1 a 0 1", "v2 a 0 2", ".end"}, "op"); });
  REQUIRE(e);
  CHECK(contains(e->detail(), "singular matrix"));
}

// A floating node: ngspice reports "singular matrix" and its gmin and source
// stepping fail.  Its transient operating point used to return an arbitrary
// "successful" answer after that; with it switched off for the session (the
// runner's convergence ladder replaces it) the job fails, naming the node's
// trouble in the log.  netlist_gen rules floating nodes out anyway.
TEST_CASE("a floating node fails with singular matrix in the log, never an arbitrary answer") {
  auto e = error_of([] {
    make_ngspice_simulator()->run({"floating", "v1 a 0 1", "r1 a 0 1k", "r2 b c 1k", ".end"}, "op");
  });
  REQUIRE(e);
  CHECK(contains(e->what(), "could not be simulated"));
  CHECK(contains(e->detail(), "singular matrix"));
}

TEST_CASE("a session keeps working after failed jobs") {
  auto sim = make_ngspice_simulator();
  CHECK(error_of([&] { sim->run({"bad", "v1 a 0 1", "q1 a 0 0 nomodel", ".end"}, "op"); }));
  CHECK(error_of([&] { sim->run({"bad", "v1 a 0 1", "v2 a 0 2", ".end"}, "op"); }));
  SimResult r = sim->run(kDivider, "op");
  CHECK(close(r.vectors.at("mid")[0], 0.75, 1e-12, 0));
}

TEST_CASE("control language never reaches ngspice") {
  const fs::path marker = fs::temp_directory_path() / fmt::format("xbar-shell-marker-{}", getpid());
  fs::remove(marker);
  const std::string touch = "shell touch " + marker.string();
  const std::vector<Netlist> hostile{
      {"t", "v1 a 0 1", ".control", touch, ".endc", ".end"},
      {"t", "v1 a 0 1", "  .CONTROL", ".end"},
      // ngspice matches dot-commands by prefix: these open and close blocks too.
      {"t", "v1 a 0 1", ".controlxyz", "alias sx shell", "sx " + touch.substr(6), ".endcxyz", ".end"},
      {"t", "v1 a 0 1", ".execute", touch, ".end"},
      {"t", "v1 a 0 1", "@", ".end"},
      {"t", "v1 a 0 1", "*# " + touch, ".end"},
      {"*ng_script", touch, ".end"},
      {"t", touch, ".end"},
      {"t", "v1 a 0 1", "r1 a 0 1k\n.control", ".end"},
      {"t", "v1 a 0 1"},  // no .end
  };
  auto sim = make_ngspice_simulator();
  auto isolated = make_isolated_simulator();
  for (const Netlist& n : hostile) {
    CAPTURE(n[1]);
    auto e = error_of([&] { sim->run(n, "op"); });
    REQUIRE(e);
    CHECK(contains(e->what(), "refused"));
    CHECK(error_of([&] { isolated->run(n, "op"); }));
  }
  // ngspice may not open a file itself, however harmless: model text arrives
  // inlined by the model reader, which checked it.
  const fs::path inc = fs::temp_directory_path() / fmt::format("xbar-include-{}.lib", getpid());
  std::ofstream(inc) << "* models\n.lib sec\nr9 a 0 1k\n.endl\n";
  for (std::string line :
       {".include \"" + inc.string() + "\"", ".includex \"" + inc.string() + "\"", ".inc " + inc.string(),
        ".lib " + inc.string() + " sec", ".library " + inc.string() + " sec"}) {
    CAPTURE(line);
    auto e = error_of([&] { sim->run({"t", "v1 a 0 1", line, ".end"}, "op"); });
    REQUIRE(e);
    CHECK(contains(e->what(), "open a file itself"));
  }
  fs::remove(inc);
  for (std::string cmd : {"shell ls", "op; shell ls", "quit", "source x.cir", "op\nquit"})
    CHECK(error_of([&] { sim->run(kDivider, cmd); }));
  CHECK_FALSE(fs::exists(marker));
}

TEST_CASE("a crossbar conserves current and its result is complete") {
  Crossbar xb{8, 6};
  SimResult r = make_ngspice_simulator()->run(xb.netlist(), "op");
  double sensed = 0, driven = 0;
  for (int j = 0; j < xb.cols; ++j) sensed += r.vectors.at(fmt::format("vs{}#branch", j))[0];
  for (int i = 0; i < xb.rows; ++i) driven += r.vectors.at(fmt::format("vd{}#branch", i))[0];
  CHECK(sensed > 0);
  CHECK(close(sensed, -driven, 1e-9, 0));
  // Every node and every source current: 2 nodes per cell, one per driver, plus branches.
  CHECK(r.vectors.size() == static_cast<std::size_t>(2 * xb.rows * xb.cols + xb.rows + xb.rows + xb.cols));
  CHECK(contains(r.log, "Using KLU"));
}

TEST_CASE("memory stays flat over many jobs") {
  auto sim = make_ngspice_simulator();
  const Netlist n = Crossbar{32, 32}.netlist();
  double after_30 = 0;
  for (int job = 1; job <= 300; ++job) {
    sim->run(n, "op");
    if (job == 30) after_30 = resident_bytes();
  }
  const double after_300 = resident_bytes();
  MESSAGE(fmt::format("RSS after 30 jobs {:.1f} MB, after 300 {:.1f} MB", after_30 / 1e6, after_300 / 1e6));
  CHECK(after_300 < 1.10 * after_30);
}

// A run returns once its child's whole result has arrived; the child, which
// then only exits, is reaped by the next job or when the simulator goes.
TEST_CASE("isolated: every child is reaped, by the next job or when the simulator goes") {
  {
    auto isolated = make_isolated_simulator();
    for (int job = 0; job < 3; ++job) CHECK(close(isolated->run(kDivider, "op").vectors.at("mid")[0], 0.75, 1e-12, 0));
    CHECK(isolated->has_klu());
  }
  errno = 0;
  CHECK(waitpid(-1, nullptr, WNOHANG) == -1);  // no child of this process left, not even a zombie
  CHECK(errno == ECHILD);
}

TEST_CASE("isolated jobs give the same results as in-process jobs") {
  const Netlist n = Crossbar{6, 5}.netlist();
  SimResult local = make_ngspice_simulator()->run(n, "op");
  auto isolated = make_isolated_simulator();
  SimResult remote = isolated->run(n, "op");
  CHECK(remote.plot == local.plot);
  CHECK(remote.vectors == local.vectors);  // bit-identical: same library, same netlist
  CHECK(contains(remote.log, "Using KLU"));
  CHECK(isolated->version() == make_ngspice_simulator()->version());
  CHECK(isolated->has_klu());
  auto e = error_of([&] { isolated->run({"missing", "v1 a 0 1", "d1 a 0 nosuchdiode", ".end"}, "op"); });
  REQUIRE(e);
  CHECK(contains(e->what(), "nosuchdiode"));
}

TEST_CASE("isolated: a run that used KLU answers has_klu() without a probe child of its own") {
  auto isolated = make_isolated_simulator();
  isolated->run(Crossbar{4, 4}.netlist(), "op");  // asks for KLU, and its log says it got it
  // Every child from here on crashes: an answer needs none.
  spice::testing::set_isolated_child_crash(true);
  bool klu = false;
  auto e = error_of([&] { klu = isolated->has_klu(); });
  spice::testing::set_isolated_child_crash(false);
  CHECK_FALSE(e);
  CHECK(klu);
}

TEST_CASE("isolated: a time limit ends a long transient") {
  auto isolated = make_isolated_simulator(SimLimits{0.5, 0});
  const Netlist slow{"slow rc", "v1 in 0 sin(0 1 1meg)", "r1 in out 1k", "c1 out 0 1n", ".end"};
  const auto start = std::chrono::steady_clock::now();
  auto e = error_of([&] { isolated->run(slow, "tran 1n 100m 0 1n"); });
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(e);
  CHECK(std::string(e->what()) == "time limit of 0.5 s exceeded");
  CHECK(took < 2.0);
  CHECK(contains(e->detail(), "Circuit: slow rc"));  // the log streamed before the kill
  // The same simulator still works afterwards.
  CHECK(close(isolated->run(kDivider, "op").vectors.at("mid")[0], 0.75, 1e-12, 0));
}

TEST_CASE("isolated: a crashing child becomes a SimulationError with its log") {
  auto isolated = make_isolated_simulator();
  spice::testing::set_isolated_child_crash(true);
  auto e = error_of([&] { isolated->run(kDivider, "op"); });
  spice::testing::set_isolated_child_crash(false);
  REQUIRE(e);
  CHECK(std::string(e->what()) == "ngspice crashed (signal 11: Segmentation fault)");
  CHECK(contains(e->detail(), "Circuit: divider"));
  CHECK(close(isolated->run(kDivider, "op").vectors.at("mid")[0], 0.75, 1e-12, 0));
}

// Switches the netlist guard off for one scope (a test-only hook).
struct GuardOff {
  GuardOff() { spice::testing::set_netlist_guard_off(true); }
  ~GuardOff() { spice::testing::set_netlist_guard_off(false); }
};

TEST_CASE("isolated: with the guard off, the sandbox stops shell, write and file creation") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("xbar-sandbox-test-{}", getpid());
  fs::create_directories(dir);
  const std::string m = (dir / "marker").string();
  const std::vector<Netlist> attacks{
      {"t", "v1 a 0 1", "r1 a 0 1k", ".control", "shell touch " + m, ".endc", ".end"},
      {"t", "v1 a 0 1", "r1 a 0 1k", ".controlxyz", "alias sx shell", "sx touch " + m, ".endcxyz", ".end"},
      {"t", "v1 a 0 1", "r1 a 0 1k", "*# shell touch " + m, ".end"},
      {"t", "v1 a 0 1", "r1 a 0 1k", ".control", "op", "write " + m + " v(a)", ".endc", ".end"},
      {"t", "v1 a 0 1", "r1 a 0 1k", ".control", "op", "wrdata " + m + " v(a)", ".endc", ".end"},
  };
  auto isolated = make_isolated_simulator({.time_limit_s = 60});
  GuardOff off;
  for (const Netlist& n : attacks) {
    CAPTURE(n[4]);
    CAPTURE(n[5]);
    auto e = error_of([&] { isolated->run(n, "op"); });
    REQUIRE(e);
    CHECK(contains(e->what(), "the sandbox stopped ngspice"));
    CHECK_FALSE(fs::exists(m));
    CHECK_FALSE(fs::exists(m + ".data"));  // wrdata's own suffix
  }
  // The sandbox leaves an honest job alone (threads included: ngspice's own).
  CHECK(close(isolated->run(kDivider, "op").vectors.at("mid")[0], 0.75, 1e-12, 0));
  fs::remove_all(dir);
}

// Runs `body` in a forked child after enter_sandbox(writable_dir); returns the
// child's wait status (exit code from `body`, or the signal that ended it).
template <class F>
int in_sandboxed_child(const std::string& writable_dir, F&& body) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    spice::enter_sandbox(writable_dir);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST_CASE("sandbox with a writable folder (sweep workers): files only beneath it, never a process") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("xbar-sandbox-dir-{}", getpid());
  fs::create_directories(dir / "inside");
  fs::create_directories(dir / "outside");
  const int landlock_abi = spice::landlock_abi();
  MESSAGE("Landlock ABI on this kernel: " << landlock_abi);
  // Writing inside the folder works.
  int st = in_sandboxed_child((dir / "inside").string(),
                              [&] { return std::ofstream(dir / "inside/point.json") << "{}\n" ? 0 : 1; });
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  CHECK(fs::exists(dir / "inside/point.json"));
  // Outside it: refused where Landlock is in force (the filter alone cannot
  // tell paths apart, so it lets the worker write).
  st = in_sandboxed_child((dir / "inside").string(),
                          [&] { return std::ofstream(dir / "outside/stray") << "x\n" ? 0 : 1; });
  if (landlock_abi > 0) {
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 1);
    CHECK_FALSE(fs::exists(dir / "outside/stray"));
  }
  // A process: the filter kills the child whatever the kernel.
  st = in_sandboxed_child((dir / "inside").string(), [&] { return std::system("true") == 0 ? 0 : 1; });
  CHECK(WIFSIGNALED(st));
  CHECK(WTERMSIG(st) == SIGSYS);
  fs::remove_all(dir);
}

// Counted as skipped in a sanitizer build, whose children get no address-space limit.
TEST_CASE("isolated: a memory limit fails the job, not this process" * doctest::skip(!kChildAddressSpaceLimit)) {
  auto isolated = make_isolated_simulator(SimLimits{0, std::size_t{64} << 20});
  auto e = error_of([&] { isolated->run(Crossbar{128, 128}.netlist(), "op"); });
  REQUIRE(e);
  MESSAGE("memory-limit error: " << std::string(e->what()));
  CHECK(close(make_isolated_simulator()->run(kDivider, "op").vectors.at("mid")[0], 0.75, 1e-12, 0));
}

TEST_CASE("isolated: no zombies are left") {
  auto isolated = make_isolated_simulator(SimLimits{0.3, 0});
  for (int k = 0; k < 5; ++k) isolated->run(kDivider, "op");
  error_of([&] { isolated->run({"slow", "v1 a 0 sin(0 1 1meg)", "r1 a b 1k", "c1 b 0 1n", ".end"}, "tran 1n 1"); });
  int status = 0;
  errno = 0;
  CHECK(waitpid(-1, &status, WNOHANG) == -1);  // no child of ours, finished or not
  CHECK(errno == ECHILD);
}

TEST_CASE("log classification") {
  using spice::LogLine;
  auto v = spice::classify_log({{false, "Circuit: x"},
                                {true, "Warning: singular matrix:  check node b"},
                                {true, "Warning: singular matrix:  check node b"},
                                {true, "Note: Starting source stepping"}});
  CHECK(v.error.empty());
  CHECK(v.warnings == std::vector<std::string>{"Warning: singular matrix:  check node b"});
  CHECK(spice::classify_log({{true, "op simulation(s) aborted"}}).error == "op simulation(s) aborted");
  CHECK(spice::classify_log({{true, "Error: circuit not parsed."}}).error == "Error: circuit not parsed.");
  CHECK_FALSE(spice::classify_log({{true, "doAnalyses: TRAN:  Timestep too small"}}).error.empty());
  CHECK(spice::classify_log({{true, "Note: No compatibility mode selected!"}}).error.empty());
}

TEST_CASE("child protocol frames survive partial reads and reject garbage") {
  SimResult r;
  r.plot = "op1";
  r.log = "line\n";
  r.warnings = {"w"};
  r.elapsed_s = 0.25;
  VectorTable::Parts vectors;
  vectors.append("a", std::vector<double>{1.5, -2.0});
  vectors.append("vd0#branch", {});
  r.vectors = VectorTable(std::move(vectors));
  const std::string wire = spice::encode_frame(spice::FrameKind::kLog, "hello") +
                           spice::encode_frame(spice::FrameKind::kResult, spice::encode_result(r));
  std::string buffer;
  std::vector<spice::Frame> frames;
  for (char c : wire) {  // one byte at a time, as the worst pipe would deliver it
    buffer.push_back(c);
    while (auto f = spice::take_frame(buffer)) frames.push_back(std::move(*f));
  }
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].payload == "hello");
  SimResult back = spice::decode_result(frames[1].payload);
  CHECK(back.plot == r.plot);
  CHECK(back.log == r.log);
  CHECK(back.warnings == r.warnings);
  CHECK(back.elapsed_s == r.elapsed_s);
  CHECK(back.vectors == r.vectors);
  const std::string payload = spice::encode_result(r);
  CHECK(error_of([&] { spice::decode_result(payload.substr(0, payload.size() - 3)); }));
  std::string garbage = "\x09" + std::string(8, '\0');
  CHECK(error_of([&] { spice::take_frame(garbage); }));
}

TEST_CASE("vector table: vectors in their order, found by name, a repeated name keeps its first vector") {
  CHECK(VectorTable().empty());
  CHECK_FALSE(VectorTable().find("a"));
  VectorTable::Parts parts;
  std::vector<std::string> names;
  for (int k = 0; k < 1000; ++k) {
    names.push_back(fmt::format("wl{}_{}", k / 7, k % 7));
    parts.append(names.back(), std::vector<double>(static_cast<std::size_t>(k % 3), k));
  }
  parts.append("wl0_3", std::vector<double>{-1.0});  // again: dropped
  parts.append("last", std::vector<double>{7.0});
  const VectorTable t(parts);
  REQUIRE(t.size() == 1001);
  for (std::size_t k = 0; k < names.size(); ++k) {
    CAPTURE(names[k]);
    CHECK(t.name(k) == names[k]);
    REQUIRE(t.find(names[k]));
    CHECK(t.find(names[k])->size() == k % 3);
    CHECK(std::all_of(t.values(k).begin(), t.values(k).end(), [&](double v) { return v == static_cast<double>(k); }));
  }
  CHECK(t.at("wl0_3").empty());  // the first vector of that name, not the {-1} given later
  CHECK(t.name(1000) == "last");
  CHECK(t.at("last")[0] == 7.0);
  CHECK_FALSE(t.contains("WL0_3"));
  CHECK_THROWS_AS(t.at("nowhere"), std::out_of_range);
  const VectorTable copy(t.parts());
  CHECK(copy == t);
  CHECK(t.parts().values.size() == parts.values.size() - 1);  // the repeated name's {-1} is gone
}

TEST_CASE("vector table: parts whose ends do not add up are refused") {
  auto parts = [](std::string names, std::vector<std::uint64_t> name_ends, std::vector<double> values,
                  std::vector<std::uint64_t> value_ends) {
    return VectorTable::Parts{std::move(names), std::move(name_ends), std::move(values), std::move(value_ends)};
  };
  CHECK(VectorTable(parts("ab", {1, 2}, {1, 2, 3}, {1, 3})).at("b").size() == 2);
  CHECK_THROWS_AS(VectorTable(parts("ab", {2, 1}, {1, 2, 3}, {1, 3})), std::invalid_argument);   // backwards
  CHECK_THROWS_AS(VectorTable(parts("ab", {1, 3}, {1, 2, 3}, {1, 3})), std::invalid_argument);   // past the names
  CHECK_THROWS_AS(VectorTable(parts("abc", {1, 2}, {1, 2, 3}, {1, 3})), std::invalid_argument);  // names left over
  CHECK_THROWS_AS(VectorTable(parts("ab", {1, 2}, {1, 2, 3}, {1, 4})), std::invalid_argument);   // past the values
  CHECK_THROWS_AS(VectorTable(parts("ab", {1, 2}, {1, 2, 3}, {1})), std::invalid_argument);      // ends disagree
}

TEST_CASE("child protocol: a result whose vector table does not add up is a malformed reply") {
  auto with_parts = [](VectorTable::Parts v) {
    // encode_result writes what a table holds; a hostile child may write anything.
    SimResult r;
    r.plot = "op1";
    std::string wire = spice::encode_result(r);
    wire.resize(wire.size() - 3 * sizeof(std::uint64_t));  // the empty table's three counts
    auto u64 = [&](std::uint64_t x) { wire.append(reinterpret_cast<const char*>(&x), sizeof x); };
    u64(v.name_ends.size());
    for (auto e : v.name_ends) u64(e);
    for (auto e : v.value_ends) u64(e);
    u64(v.names.size());
    wire += v.names;
    u64(v.values.size());
    wire.append(reinterpret_cast<const char*>(v.values.data()), v.values.size() * sizeof(double));
    return wire;
  };
  const VectorTable::Parts good{"ab", {1, 2}, {1.5, 2.5}, {1, 2}};
  CHECK(spice::decode_result(with_parts(good)).vectors.at("b")[0] == 2.5);
  VectorTable::Parts beyond = good;
  beyond.value_ends = {1, 7};
  auto e = error_of([&] { spice::decode_result(with_parts(beyond)); });
  REQUIRE(e);
  CHECK(contains(e->what(), "malformed result"));
  VectorTable::Parts backwards = good;
  backwards.name_ends = {2, 1};
  CHECK(error_of([&] { spice::decode_result(with_parts(backwards)); }));
}

TEST_CASE("status frames: ngspice's progress round-trips; a hostile child's is bounded and refused (issue 19)") {
  const SimStatus tran = spice::parse_ngspice_status("tran:  45.3%");
  CHECK(tran.analysis == "tran");
  CHECK(tran.percent == 45.3);
  const SimStatus ready = spice::parse_ngspice_status("--ready--");
  CHECK(ready.analysis == "--ready--");
  CHECK(std::isnan(ready.percent));
  // What the child sends is printable and short whatever ngspice printed.
  const SimStatus odd = spice::parse_ngspice_status("\x1b]0;owned\x07" + std::string(500, 'x') + ": 250%");
  CHECK(odd.analysis.size() == spice::kMaxStatusText);
  CHECK(odd.analysis.find('\x1b') == std::string::npos);
  CHECK(std::isnan(odd.percent));  // 250 % is not a percentage

  std::string buffer = spice::encode_frame(spice::FrameKind::kStatus, spice::encode_status(tran)) +
                       spice::encode_frame(spice::FrameKind::kStatus, spice::encode_status(ready));
  for (const SimStatus& want : {tran, ready}) {
    const auto f = spice::take_frame(buffer);
    REQUIRE(f);
    CHECK(f->kind == spice::FrameKind::kStatus);
    const SimStatus back = spice::decode_status(f->payload);
    CHECK(back.analysis == want.analysis);
    CHECK((back.percent == want.percent || (std::isnan(back.percent) && std::isnan(want.percent))));
  }
  CHECK(buffer.empty());

  // A hostile child: each of these is a SimulationError, never a crash, a
  // flood of memory or an escape sequence on the user's terminal.
  auto status_payload = [](double percent, const std::string& text) {
    return spice::encode_status(SimStatus{text, percent});
  };
  const std::string good = status_payload(10, "tran");
  for (const std::string& bad :
       {status_payload(10, "tran\x1b[2J"), status_payload(10, std::string(spice::kMaxStatusText + 1, 'a')),
        status_payload(-1, "tran"), status_payload(100.5, "tran"), status_payload(INFINITY, "tran"),
        good.substr(0, good.size() - 1), good + "x", std::string(3, '\0')}) {
    CHECK(error_of([&] { spice::decode_status(bad); }));
  }
  // A status frame announcing more than its bound is refused from its header,
  // before its payload is waited for or buffered.
  std::string huge = spice::encode_frame_header(spice::FrameKind::kStatus, spice::kMaxStatusFrame + 1);
  CHECK(error_of([&] { spice::take_frame(huge); }));
  std::string at_bound = spice::encode_frame_header(spice::FrameKind::kStatus, spice::kMaxStatusFrame);
  CHECK_FALSE(spice::take_frame(at_bound));  // only incomplete
}

TEST_CASE("isolated: ngspice's progress reaches the parent while the job runs (issue 19)") {
  std::vector<SimStatus> seen;
  auto isolated = make_isolated_simulator({}, [&](const SimStatus& s) { seen.push_back(s); });
  const Netlist slow{"slow rc", "v1 in 0 sin(0 1 1meg)", "r1 in out 1k", "c1 out 0 1n", ".end"};
  isolated->run(slow, "tran 1n 20u 0 1n");
  REQUIRE_FALSE(seen.empty());
  bool tran_percent = false;
  for (const auto& s : seen) {
    if (s.analysis == "tran" && s.percent >= 0 && s.percent <= 100) tran_percent = true;
  }
  CHECK(tran_percent);
  MESSAGE(seen.size() << " status report(s), the first " << seen.front().analysis << " " << seen.front().percent);
}

// Per-job cost, in-process against isolated.  Not part of the suite:
// run with `test_spice_bridge -tc="bench*" --no-skip`.
TEST_CASE("bench: per-job overhead" * doctest::skip()) {
  auto time_jobs = [](Simulator& sim, const Netlist& n, int jobs) {
    sim.run(n, "op");  // warm-up
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < jobs; ++k) sim.run(n, "op");
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / jobs;
  };
  auto local = make_ngspice_simulator();
  auto isolated = make_isolated_simulator();
  const Netlist tiny{"tiny", "v1 a 0 1", "r1 a b 1k", "r2 b 0 1k", ".options klu", ".end"};
  const Netlist big = Crossbar{128, 128}.netlist();
  const double tiny_local = time_jobs(*local, tiny, 200), tiny_iso = time_jobs(*isolated, tiny, 100);
  const double big_local = time_jobs(*local, big, 5), big_iso = time_jobs(*isolated, big, 5);
  MESSAGE(fmt::format("tiny: in-process {:.2f} ms, isolated {:.2f} ms per job", tiny_local * 1e3, tiny_iso * 1e3));
  MESSAGE(fmt::format("128x128: in-process {:.3f} s, isolated {:.3f} s per job", big_local, big_iso));
  CHECK(tiny_iso > 0);
}
