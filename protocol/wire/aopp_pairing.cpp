#include "protocol/wire/aopp_pairing.hpp"  // TODO(helper): implement
