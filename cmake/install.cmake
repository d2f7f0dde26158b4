# cmake --install build --prefix P:
#   P/bin/xbar                      the program
#   P/lib/libxbar.so*               the C++ API (include/xbar/xbar.hpp)
#   P/include/xbar/                 its headers
#   P/share/xbar/models/            model files, found relative to bin/ and lib/
#   P/share/xbar/regression/cases/  the regression suite (`xbar regress`)
#   P/lib/cmake/xbar/               find_package(xbar) -> xbar::xbar
#   P/lib/pkgconfig/xbar.pc         pkg-config --cflags --libs xbar
#   P/<XBAR_PYTHON_INSTALL_DIR>/    the Python module xbar (with XBAR_PYTHON)
include(CMakePackageConfigHelpers)

install(TARGETS xbar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS xbar_lib EXPORT xbarTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/xbar/xbar.hpp ${PROJECT_SOURCE_DIR}/include/xbar/yaml.hpp
              ${PROJECT_BINARY_DIR}/include/xbar/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/xbar)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/xbar/models
        FILES_MATCHING PATTERN "*.lib" PATTERN "*.sub")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/regression/cases/ DESTINATION ${CMAKE_INSTALL_DATADIR}/xbar/regression/cases)

set(xbar_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/xbar)
install(EXPORT xbarTargets NAMESPACE xbar:: DESTINATION ${xbar_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/xbarConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/xbarConfig.cmake INSTALL_DESTINATION ${xbar_cmake_dir})
# 0.x: only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/xbarConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/xbarConfig.cmake ${PROJECT_BINARY_DIR}/xbarConfigVersion.cmake
        DESTINATION ${xbar_cmake_dir})

# The prefix in xbar.pc is the one given at install time (cmake --install --prefix).
install(CODE "
  set(CMAKE_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(CMAKE_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CMAKE_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/xbar.pc.in\" \"${PROJECT_BINARY_DIR}/install-xbar.pc\" @ONLY)
  file(INSTALL \"${PROJECT_BINARY_DIR}/install-xbar.pc\" DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig\"
       RENAME xbar.pc)
")
