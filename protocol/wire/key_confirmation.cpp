#include "protocol/wire/key_confirmation.hpp"  // TODO(helper): implement
