#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/reporter.hpp"

namespace xbar {

// Notes and warnings on stderr; notes only when verbose.  On a terminal, a
// live line shows the job's current phase and its running time (a 512x512
// SPICE run is a minute of silence otherwise); nothing of it when stderr is
// not a terminal, like the sweep's bar.
class TerminalReporter : public Reporter {
 public:
  explicit TerminalReporter(bool verbose);
  ~TerminalReporter() override;
  void note(std::string_view text) override;
  void warning(std::string_view text) override;
  void phase(std::string_view text) override;
  // Shown beside the phase, redrawn at most every kProgressRedraw.
  void progress(std::string_view text) override;
  // Clears the live line for good (before the summary is printed).
  void finish();

 private:
  void draw_locked();
  void clear_locked();
  void tick();

  bool verbose_;
  bool live_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false, shown_ = false;
  std::string phase_, progress_;
  std::chrono::steady_clock::time_point progress_drawn_{};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::thread ticker_;
};

}  // namespace xbar
