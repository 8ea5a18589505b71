#include "protocol/wire/aopp_parity.hpp"  // TODO(helper): implement
