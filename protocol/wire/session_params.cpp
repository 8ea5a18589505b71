#include "protocol/wire/session_params.hpp"  // TODO(helper): implement
