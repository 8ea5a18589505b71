#include "protocol/wire/verification.hpp"  // TODO(helper): implement
