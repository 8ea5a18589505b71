#include "protocol/wire/session_params_ack.hpp"  // TODO(helper): implement
