"""Type hints for the xbar module (SPICE-level crossbar co-simulation); help(xbar) has the prose."""
import os
from typing import Any, Iterator, Mapping, Optional, Union

import numpy as np
import numpy.typing as npt

__version__: str

ConfigSource = Union[str, os.PathLike[str], Mapping[str, Any]]
Engine = Optional[str]  # "spice" | "nodal" | "both" | None (the config's)

class ConfigError(ValueError):
    file: str
    line: int
    column: int
    message: str
    problems: list[tuple[str, int, int, str]]

class SimulationError(RuntimeError):
    log: str

class Result:
    name: str
    cell: str
    analysis: str
    engine: str
    primary_engine: str
    ngspice_version: str
    rows: int
    cols: int
    phys_cols: int
    vectors: int
    elapsed_s: float
    i_ideal: Optional[npt.NDArray[np.float64]]   # (vectors, cols)
    i_spice: Optional[npt.NDArray[np.float64]]   # (vectors, cols); None when SPICE did not run
    i_nodal: Optional[npt.NDArray[np.float64]]   # (vectors, cols); None when the nodal engine did not run
    i_target: Optional[npt.NDArray[np.float64]]  # (vectors, cols): the intended product
    rel_err: Optional[npt.NDArray[np.float64]]   # (vectors, cols); NaN where i_ideal is 0
    v_in: Optional[npt.NDArray[np.float64]]      # (vectors, rows) driver voltages
    g: Optional[npt.NDArray[np.float64]]         # (rows, phys_cols)
    v_wl: Optional[npt.NDArray[np.float64]]      # (vectors, rows, phys_cols)
    v_bl: Optional[npt.NDArray[np.float64]]
    v_cell: Optional[npt.NDArray[np.float64]]
    i_cell: Optional[npt.NDArray[np.float64]]
    metrics: dict[str, float]
    def write(self, dir: Union[str, os.PathLike[str]]) -> None: ...

def run(config: ConfigSource, overrides: Optional[Mapping[str, Any]] = None, engine: Engine = None,
        output_dir: Optional[Union[str, os.PathLike[str]]] = None) -> Result: ...

class Tile:
    rows: int
    cols: int
    def __init__(self, config: ConfigSource, overrides: Optional[Mapping[str, Any]] = None,
                 engine: Engine = None) -> None: ...
    def run(self, inputs: Optional[npt.ArrayLike] = None) -> Result: ...

def models() -> list[dict[str, Any]]: ...

class SweepPoint:
    index: int
    values: dict[str, str]
    result: Optional[Result]
    error: Optional[str]

class Sweep(Iterator[SweepPoint]):
    def __iter__(self) -> "Sweep": ...
    def __next__(self) -> SweepPoint: ...
    def __len__(self) -> int: ...
    def cancel(self) -> None: ...

def sweep(config: ConfigSource, overrides: Optional[Mapping[str, Any]] = None,
          jobs: Optional[int] = None) -> Sweep: ...
