#include "protocol/wire/cascade_parity_query.hpp"  // TODO(helper): implement
