#include "protocol/wire/privacy_amplification.hpp"  // TODO(helper): implement
