#pragma once
// The one ngspice session of this process (private to spice_bridge).  ngspice
// keeps all its state in globals, so this singleton is the only place that
// state is touched; every public call is serialised by one mutex.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "spice_bridge/log_classifier.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar::spice {

class NgspiceSession {
 public:
  // Initialises ngspice on first use.
  static NgspiceSession& instance();

  std::string version();
  bool has_klu();
  SimResult run(const std::vector<std::string>& netlist, const std::string& command);

  // Receives every log line as ngspice prints it, and status reports as lines
  // beginning "status: " (which stay out of the log).  The isolated child uses
  // it to stream its log so a crash still leaves the log behind.
  void set_log_listener(std::function<void(const LogLine&)> listener);
  // A child that exits after its one job skips the per-job clean-up.
  void set_cleanup_after_job(bool cleanup);

  NgspiceSession(const NgspiceSession&) = delete;
  NgspiceSession& operator=(const NgspiceSession&) = delete;

 private:
  NgspiceSession();
  void initialise();
  void send(const char* command);
  void clean_up();
  void throw_if_exited(const char* stage);
  SimResult collect(const std::string& plot);
  std::vector<LogLine> take_log();

  static int on_char(char* text, int id, void* self);
  static int on_status(char* text, int id, void* self);
  static int on_exit(int status, bool immediate, bool quit, int id, void* self);
  static int on_background_thread(bool finished, int id, void* self);

  std::mutex job_mutex_;  // one job at a time
  std::mutex log_mutex_;  // callbacks may come from ngspice threads
  std::vector<LogLine> log_;
  std::function<void(const LogLine&)> listener_;
  bool exited_ = false;  // ngspice asked to be unloaded: refuse further work
  bool cleanup_after_job_ = true;
  std::string version_;
  int klu_ = -1;  // -1: not probed yet
};

}  // namespace xbar::spice
