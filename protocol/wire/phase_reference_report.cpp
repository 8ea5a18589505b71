#include "protocol/wire/phase_reference_report.hpp"  // TODO(helper): implement
