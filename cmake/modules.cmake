# The project's build units, each in one call:
#   sw_add_module(NAME name SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
#     the static library sw_<name> of the module in the current folder; its parent folder is
#     the include root, so its headers are included as "<name>/header.hpp".
#   sw_add_program(NAME name SOURCES ... LIBS ...)
#     an executable under apps/ (or a development tool), with the project's warnings.
function(sw_add_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target sw_${M_NAME})
  add_library(${target} STATIC ${M_SOURCES})
  get_filename_component(include_root ${CMAKE_CURRENT_SOURCE_DIR} DIRECTORY)
  target_include_directories(${target} PUBLIC ${include_root})
  target_link_libraries(${target} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  sw_set_warnings(${target})
endfunction()

function(sw_add_program)
  cmake_parse_arguments(P "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${P_NAME} ${P_SOURCES})
  target_link_libraries(${P_NAME} PRIVATE ${P_LIBS})
  sw_set_warnings(${P_NAME})
endfunction()
