#include "spice_bridge/ngspice_session.hpp"

#include <fcntl.h>
#include <ngspice/sharedspice.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "spice_bridge/c_locale.hpp"
#include "spice_bridge/netlist_guard.hpp"
#include "spice_bridge/text_util.hpp"

namespace xbar::spice {
namespace {

// Sets an environment variable for the lifetime of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Runs ngspice's start-up inside a private folder, so that neither the site
// `spinit` (which sets num_threads=8 and loads code models) nor a `.spiceinit`
// in the working folder or the home folder can change results or run commands.
// Measured on ngspice 46: ngSpice_nospinit()/ngSpice_nospiceinit() crash
// (SIGSEGV) when called before ngSpice_Init, as their header asks, so they are
// not used.  SPICE_SCRIPTS selects our own near-empty spinit.  ngspice sources
// `.spiceinit` from the working folder if there is one, and only otherwise
// `.spiceinit` in the home folder, which it finds with getpwuid (not $HOME, so
// pointing HOME elsewhere does not help): the private folder, the working folder
// during start-up, holds an inert `.spiceinit`, so the home folder is never read.
class PrivateStartupFolder {
 public:
  PrivateStartupFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "xbar-ngspice-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw SimulationError("cannot create a temporary folder for ngspice start-up");
    dir_ = pattern;
    for (const char* name : {"spinit", ".spiceinit"})
      if (!(std::ofstream(dir_ / name) << "* xbar: no site or user initialisation\n"))
        throw SimulationError("cannot write the ngspice start-up files");
    old_cwd_ = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    scripts_.emplace("SPICE_SCRIPTS", dir_.string());
    home_.emplace("HOME", dir_.string());
    if (chdir(dir_.c_str()) != 0) throw SimulationError("cannot enter the ngspice start-up folder");
  }
  ~PrivateStartupFolder() {
    if (old_cwd_ >= 0) {
      [[maybe_unused]] int rc = fchdir(old_cwd_);
      close(old_cwd_);
    }
    home_.reset();
    scripts_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  PrivateStartupFolder(const PrivateStartupFolder&) = delete;
  PrivateStartupFolder& operator=(const PrivateStartupFolder&) = delete;

 private:
  std::filesystem::path dir_;
  int old_cwd_ = -1;
  std::optional<ScopedEnv> scripts_, home_;
};

// Text ngspice prints with a "stdout "/"stderr " prefix; the prefix tells the stream.
LogLine parse_char_line(const char* raw) {
  std::string_view text(raw ? raw : "");
  LogLine line;
  if (text.starts_with("stderr ")) {
    line.is_stderr = true;
    text.remove_prefix(7);
  } else if (text.starts_with("stdout ")) {
    text.remove_prefix(7);
  }
  line.text = std::string(text);
  return line;
}

std::set<std::string> current_plots() {
  std::set<std::string> plots;
  if (char** all = ngSpice_AllPlots())
    for (; *all; ++all) plots.insert(*all);
  return plots;
}

}  // namespace

NgspiceSession& NgspiceSession::instance() {
  static NgspiceSession session;  // constructed once, thread-safe
  return session;
}

NgspiceSession::NgspiceSession() { initialise(); }

void NgspiceSession::initialise() {
  CNumericLocale c_locale;
  {
    PrivateStartupFolder startup;
    ngSpice_Init(&on_char, &on_status, &on_exit, nullptr, nullptr, &on_background_thread, this);
  }
  send("set nomoremode");
  send("set noaskquit");
  send("set num_threads=1");  // OpenMP devices (BSIM3/4) are slower and erratic with 2 threads here
  // No transient operating point after failed gmin and source stepping: it
  // spent minutes before failing on a 32x32 floating read, and the runner
  // climbs its own convergence ladder (docs/ngspice.md).  A step of 0
  // deselects it; the other fields keep ngspice's defaults.
  send("optran 1 1 1 0 1 0");
  take_log();  // the start-up banner belongs to no job
}

void NgspiceSession::send(const char* command) {
  std::string copy(command);
  ngSpice_Command(copy.data());
}

std::vector<LogLine> NgspiceSession::take_log() {
  std::lock_guard lock(log_mutex_);
  return std::exchange(log_, {});
}

int NgspiceSession::on_char(char* text, int, void* self) {
  auto* session = static_cast<NgspiceSession*>(self);
  LogLine line = parse_char_line(text);
  std::lock_guard lock(session->log_mutex_);
  if (session->listener_) session->listener_(line);
  session->log_.push_back(std::move(line));
  return 0;
}

int NgspiceSession::on_status(char* text, int, void* self) {
  auto* session = static_cast<NgspiceSession*>(self);
  std::lock_guard lock(session->log_mutex_);
  if (session->listener_) session->listener_(LogLine{false, fmt::format("status: {}", text ? text : "")});
  return 0;
}

int NgspiceSession::on_exit(int status, bool, bool quit, int, void* self) {
  auto* session = static_cast<NgspiceSession*>(self);
  session->exited_ = true;
  std::lock_guard lock(session->log_mutex_);
  session->log_.push_back(LogLine{true, fmt::format("Error: ngspice asked to be unloaded (status {}, {})", status,
                                                    quit ? "quit" : "unrecoverable error")});
  return 0;
}

int NgspiceSession::on_background_thread(bool, int, void*) { return 0; }  // we only run blocking commands

void NgspiceSession::set_log_listener(std::function<void(const LogLine&)> listener) {
  std::lock_guard lock(log_mutex_);
  listener_ = std::move(listener);
}

void NgspiceSession::set_cleanup_after_job(bool cleanup) {
  std::lock_guard lock(job_mutex_);
  cleanup_after_job_ = cleanup;
}

void NgspiceSession::throw_if_exited(const char* stage) {
  if (!exited_) return;
  throw SimulationError(fmt::format("ngspice cannot recover ({}); this process must be replaced", stage),
                        join_log(take_log()));
}

// All three are needed: with `destroy all` alone the heap grows by ~83 MB per
// 128x128 job and later jobs slow down (docs/ngspice.md).
void NgspiceSession::clean_up() {
  if (exited_ || !cleanup_after_job_) return;
  send("destroy all");
  send("remcirc");
  ngSpice_Command(nullptr);
}

std::string NgspiceSession::version() {
  std::lock_guard lock(job_mutex_);
  if (!version_.empty()) return version_;
  throw_if_exited("version");
  CNumericLocale c_locale;
  send("version -s");
  for (const LogLine& line : take_log()) {
    auto at = line.text.find("ngspice-");
    if (at == std::string::npos) continue;
    auto end = line.text.find_first_of(" \t", at);
    version_ = line.text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    break;
  }
  if (version_.empty()) throw SimulationError("ngspice did not report its version");
  return version_;
}

bool NgspiceSession::has_klu() {
  if (klu_ < 0) {
    SimResult probe = run({"klu probe", "v1 a 0 1", "r1 a 0 1k", ".options klu", ".end"}, "op");
    klu_ = probe.log.find("Using KLU") != std::string::npos ? 1 : 0;
  }
  return klu_ == 1;
}

SimResult NgspiceSession::run(const std::vector<std::string>& netlist, const std::string& command) {
  check_netlist_is_safe(netlist);
  check_command_is_analysis(command);
  std::lock_guard lock(job_mutex_);
  throw_if_exited("before the job");
  CNumericLocale c_locale;
  take_log();
  const auto start = std::chrono::steady_clock::now();

  struct CleanUpAtExit {
    NgspiceSession* session;
    ~CleanUpAtExit() { session->clean_up(); }
  } clean_up_at_exit{this};

  const std::set<std::string> plots_before = current_plots();
  // ngSpice_Circ takes char* but only reads the lines: it copies each one
  // (sharedspice.c, ngspice 46) and edits only its copies, so the netlist's
  // own text is handed over without copies of ~200k lines.
  std::vector<char*> pointers;
  pointers.reserve(netlist.size() + 1);
  for (const std::string& l : netlist) pointers.push_back(const_cast<char*>(l.c_str()));
  pointers.push_back(nullptr);
  ngSpice_Circ(pointers.data());
  throw_if_exited("loading the netlist");

  auto fail_if_log_says_so = [&](const char* stage) {
    std::lock_guard log_lock(log_mutex_);
    LogVerdict verdict = classify_log(log_);
    if (!verdict.error.empty())
      throw SimulationError(fmt::format("ngspice {}: {}", stage, verdict.error), join_log(log_));
  };
  fail_if_log_says_so("could not load the netlist");

  send(command.c_str());
  throw_if_exited(command.c_str());
  fail_if_log_says_so(fmt::format("`{}` failed", command).c_str());

  const char* plot = ngSpice_CurPlot();
  if (!plot || plots_before.count(plot))
    throw SimulationError(fmt::format("ngspice `{}` produced no new plot", command), join_log(take_log()));
  SimResult result = collect(plot);
  std::vector<LogLine> log = take_log();
  result.log = join_log(log);
  result.warnings = classify_log(log).warnings;
  result.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

// Copies every vector at once: ngspice's pointers die at the next destroy or run.
SimResult NgspiceSession::collect(const std::string& plot) {
  SimResult result;
  result.plot = plot;
  std::string plot_name = plot;
  char** const names = ngSpice_AllVecs(plot_name.data());
  std::size_t count = 0;
  while (names && names[count]) ++count;
  if (count == 0) throw SimulationError(fmt::format("ngspice plot {} holds no vectors", plot), join_log(take_log()));
  // Room for one value and a short name per vector (an op's), so the arrays
  // do not grow by copies while ~131k vectors arrive.
  VectorTable::Parts vectors;
  vectors.names.reserve(16 * count);
  vectors.name_ends.reserve(count);
  vectors.values.reserve(count);
  vectors.value_ends.reserve(count);
  std::string name;             // reused: one buffer for every name
  std::vector<double> complex;  // the real parts of a complex vector
  for (std::size_t k = 0; k < count; ++k) {
    name = names[k];
    pvector_info info = ngGet_Vec_Info(name.data());
    if (!info || info->v_length <= 0 || (!info->v_realdata && !info->v_compdata))
      throw SimulationError(fmt::format("ngspice vector `{}` of plot {} is missing or empty", name, plot),
                            join_log(take_log()));
    std::span<const double> values;
    if (info->v_realdata) {
      values = {info->v_realdata, static_cast<std::size_t>(info->v_length)};
    } else {
      complex.resize(static_cast<std::size_t>(info->v_length));
      for (std::size_t i = 0; i < complex.size(); ++i) complex[i] = info->v_compdata[i].cx_real;
      values = complex;
    }
    if (!std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); }))
      throw SimulationError(fmt::format("ngspice vector `{}` of plot {} is not finite", name, plot),
                            join_log(take_log()));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    vectors.append(name, values);
  }
  result.vectors = VectorTable(std::move(vectors));
  return result;
}

}  // namespace xbar::spice
