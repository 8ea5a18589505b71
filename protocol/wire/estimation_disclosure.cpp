#include "protocol/wire/estimation_disclosure.hpp"  // TODO(helper): implement
