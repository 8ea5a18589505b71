#include "protocol/wire/decoy_announcement.hpp"  // TODO(helper): implement
