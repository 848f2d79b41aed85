"""evsynth: literature evidence synthesis, from a saved PubMed search to a forest plot.

The public API is what ``__all__`` lists; modules and names starting with ``_``
are internal.
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("evsynth")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from .config import Settings, load_settings
from .errors import (
    EvsynthError,
    ExitCode,
    InputError,
    InputErrors,
    NetworkError,
    NotFoundError,
    ServiceError,
    StoreError,
)
from .models import Record, SearchRun
from .store import Store, open_store

# search -> store
from .queries import SavedQuery, load_query
from .sources.eutils import EutilsClient
from .sources.ctgov import CtgovClient
from .sources.pubmed_xml import iter_pubmed_xml, parse_pubmed_xml
from .search import SearchResult, fetch_trial, run_search

# other databases' exports
from .sources.readers import ReadResult, read_records
from .sources.readers.detect import detect_format
from .sources.writers import write_records
from .imports import ImportResult, convert_file, export_store, import_files

# dedupe -> screening -> living updates
from .dedupe import (
    DedupeResult,
    DuplicateLink,
    ReviewPair,
    dedupe_files,
    dedupe_store,
    find_duplicates,
)
from .screening import (
    PrismaCounts,
    cohen_kappa,
    export_sheet,
    import_decisions,
    prisma_counts,
)
from .living import ReviewStatus, UpdateReport, review_status, update_search

# extraction -> effects
from .extraction import (
    Extraction,
    Outcome,
    Study,
    ValidationReport,
    load_extracted,
    validate_extracted,
)
from .effects import (
    EffectSizes,
    across_correlations,
    back_transform,
    ci_to_sd,
    conv_fivenum,
    crossover,
    escalc,
    paired,
    rescale,
    responder_effects,
    se_to_sd,
)

# meta-analysis
from .meta import (
    Coefficient,
    CumulativeResult,
    EggerResult,
    GoshResult,
    InfluenceResult,
    LeaveOneOutResult,
    MetaResult,
    PermutationResult,
    SubgroupResult,
    cumulative,
    egger_test,
    fit,
    fit_many,
    gosh,
    influence,
    leave_one_out,
    meta_regression,
    permutation_test,
    subgroup,
)

# plots, the trial on the evidence, the report
from .plots import (
    arm_columns,
    bubble_plot,
    cumulative_plot,
    evidence_map,
    forest_plot,
    funnel_plot,
    leave_one_out_plot,
    prisma_diagram,
    save_figure,
)
from .plots.evidence_map import MapPoint, TrialRegion
from .situate import TrialSituation, responder_fit, situate_trial, situation_summary
from .report import (
    build_report,
    evidence_points,
    run_prisma,
    run_review,
    run_situate,
    situation_map,
)

__all__ = [
    "__version__",
    "EvsynthError",
    "ExitCode",
    "InputError",
    "InputErrors",
    "NetworkError",
    "NotFoundError",
    "ServiceError",
    "StoreError",
    "DedupeResult",
    "DuplicateLink",
    "ReviewPair",
    "dedupe_files",
    "dedupe_store",
    "find_duplicates",
    "PrismaCounts",
    "cohen_kappa",
    "export_sheet",
    "import_decisions",
    "prisma_counts",
    "Extraction",
    "Outcome",
    "Study",
    "ValidationReport",
    "load_extracted",
    "validate_extracted",
    "EffectSizes",
    "across_correlations",
    "back_transform",
    "ci_to_sd",
    "conv_fivenum",
    "crossover",
    "escalc",
    "paired",
    "rescale",
    "responder_effects",
    "se_to_sd",
    "Coefficient",
    "CumulativeResult",
    "EggerResult",
    "GoshResult",
    "InfluenceResult",
    "LeaveOneOutResult",
    "MetaResult",
    "PermutationResult",
    "SubgroupResult",
    "cumulative",
    "egger_test",
    "fit",
    "fit_many",
    "gosh",
    "influence",
    "leave_one_out",
    "meta_regression",
    "permutation_test",
    "subgroup",
    "arm_columns",
    "bubble_plot",
    "cumulative_plot",
    "evidence_map",
    "forest_plot",
    "funnel_plot",
    "leave_one_out_plot",
    "prisma_diagram",
    "save_figure",
    "build_report",
    "evidence_points",
    "run_prisma",
    "run_review",
    "run_situate",
    "situation_map",
    "Settings",
    "load_settings",
    "Record",
    "SearchRun",
    "Store",
    "open_store",
    "SavedQuery",
    "load_query",
    "EutilsClient",
    "CtgovClient",
    "iter_pubmed_xml",
    "parse_pubmed_xml",
    "SearchResult",
    "fetch_trial",
    "run_search",
    "ReadResult",
    "read_records",
    "detect_format",
    "write_records",
    "ImportResult",
    "convert_file",
    "export_store",
    "import_files",
    "ReviewStatus",
    "UpdateReport",
    "review_status",
    "update_search",
    "MapPoint",
    "TrialRegion",
    "TrialSituation",
    "responder_fit",
    "situate_trial",
    "situation_summary",
]
