#include "protocol/wire/sifting_announcement.hpp"  // TODO(helper): implement
