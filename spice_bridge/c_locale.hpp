#pragma once
// ngspice parses and prints numbers with the C library, so "1.5" must not become
// "1,5" under a user's locale.  uselocale() changes only the calling thread,
// where ngspice runs (we never use its background thread).
#include <locale.h>
#include <clocale>

namespace xbar::spice {

class CNumericLocale {
 public:
  CNumericLocale() {
    c_locale_ = newlocale(LC_NUMERIC_MASK, "C", duplocale(LC_GLOBAL_LOCALE));
    if (c_locale_) previous_ = uselocale(c_locale_);
  }
  ~CNumericLocale() {
    if (!c_locale_) return;
    uselocale(previous_);
    freelocale(c_locale_);
  }
  CNumericLocale(const CNumericLocale&) = delete;
  CNumericLocale& operator=(const CNumericLocale&) = delete;

 private:
  locale_t c_locale_ = nullptr;
  locale_t previous_ = nullptr;
};

}  // namespace xbar::spice
