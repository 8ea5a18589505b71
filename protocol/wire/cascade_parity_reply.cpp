#include "protocol/wire/cascade_parity_reply.hpp"  // TODO(helper): implement
