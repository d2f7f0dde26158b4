#include "cli/terminal_reporter.hpp"

#include <unistd.h>

#include <fmt/format.h>

namespace xbar {

TerminalReporter::TerminalReporter(bool verbose) : verbose_(verbose), live_(::isatty(STDERR_FILENO) == 1) {}

TerminalReporter::~TerminalReporter() { finish(); }

void TerminalReporter::finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    clear_locked();
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void TerminalReporter::note(std::string_view text) {
  if (!verbose_) return;
  std::lock_guard<std::mutex> lock(mu_);
  clear_locked();
  fmt::print(stderr, "xbar: {}\n", text);
  draw_locked();
}

void TerminalReporter::warning(std::string_view text) {
  std::lock_guard<std::mutex> lock(mu_);
  clear_locked();
  fmt::print(stderr, "xbar: warning: {}\n", text);
  draw_locked();
}

void TerminalReporter::phase(std::string_view text) {
  if (!live_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) return;
  phase_ = std::string(text);
  progress_.clear();
  draw_locked();
  if (!ticker_.joinable()) ticker_ = std::thread([this] { tick(); });
}

void TerminalReporter::progress(std::string_view text) {
  // ngspice reports every 0.1 s or so; a redraw per report would flicker.
  constexpr auto kProgressRedraw = std::chrono::milliseconds(250);
  if (!live_) return;
  std::lock_guard<std::mutex> lock(mu_);
  progress_ = std::string(text);
  const auto now = std::chrono::steady_clock::now();
  if (now - progress_drawn_ < kProgressRedraw) return;  // the ticker shows it within a second
  progress_drawn_ = now;
  draw_locked();
}

void TerminalReporter::draw_locked() {
  if (!live_ || stop_ || phase_.empty()) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (progress_.empty())
    fmt::print(stderr, "\r\033[Kxbar: {} ... {:.0f} s", phase_, s);
  else
    fmt::print(stderr, "\r\033[Kxbar: {}: {} ... {:.0f} s", phase_, progress_, s);
  std::fflush(stderr);
  shown_ = true;
}

void TerminalReporter::clear_locked() {
  if (!shown_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

// Redraws the line once a second, so a long phase shows its time growing.
void TerminalReporter::tick() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    draw_locked();
  }
}

}  // namespace xbar
