// Where the tests find the project's data files: CANVASS_DATA_DIR, set by tests/CMakeLists.txt.
#pragma once

#include <string>

namespace canvass {

// data/iowa-2020/, with its trailing slash: the real 2020 results, apportionment and districts.
inline const std::string kIowa = std::string(CANVASS_DATA_DIR) + "/iowa-2020/";

}  // namespace canvass
