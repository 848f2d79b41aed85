"""evsynth: literature evidence synthesis, from a saved PubMed search to a forest plot.

The public API is what ``__all__`` lists; modules and names starting with ``_``
are internal.
"""

from importlib.metadata import PackageNotFoundError, version as _version
from typing import TYPE_CHECKING, Any

try:
    __version__ = _version("evsynth")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

# Light names are imported eagerly; everything else loads on first use (PEP 562), so
# `import evsynth` and the command line start fast and pull in nothing heavy.
from .config import Settings, load_settings
from .errors import (
    EvsynthError,
    ExitCode,
    InputError,
    InputErrors,
    NetworkError,
    NotFoundError,
    OutputError,
    ServiceError,
    StoreError,
)
from .models import Record, SearchRun

#: public name -> module that defines it (relative to this package)
_LAZY: dict[str, str] = {
    "Store": ".store",
    "open_store": ".store",
    "SavedQuery": ".queries",
    "load_query": ".queries",
    "EutilsClient": ".sources.eutils",
    "CtgovClient": ".sources.ctgov",
    "iter_pubmed_xml": ".sources.pubmed_xml",
    "parse_pubmed_xml": ".sources.pubmed_xml",
    "SearchResult": ".search",
    "fetch_trial": ".search",
    "run_search": ".search",
    "ReadResult": ".sources.readers",
    "read_records": ".sources.readers",
    "detect_format": ".sources.readers.detect",
    "write_records": ".sources.writers",
    "iter_written": ".sources.writers",
    "ImportResult": ".imports",
    "convert_file": ".imports",
    "export_store": ".imports",
    "export_store_to": ".imports",
    "import_files": ".imports",
    "read_files": ".imports",
    "relabel_import": ".imports",
    "DedupeResult": ".dedupe",
    "DuplicateLink": ".dedupe",
    "ReviewPair": ".dedupe",
    "dedupe_files": ".dedupe",
    "dedupe_store": ".dedupe",
    "find_duplicates": ".dedupe",
    "read_review_sheet": ".dedupe",
    "store_pair_decisions": ".dedupe",
    "write_review_sheet": ".dedupe",
    "file_ids": ".sources.ids",
    "qualify_ids": ".sources.ids",
    "PrismaCounts": ".screening",
    "cohen_kappa": ".screening",
    "export_sheet": ".screening",
    "import_decisions": ".screening",
    "prisma_counts": ".screening",
    "StudyLinks": ".screening",
    "link_studies": ".screening",
    "ReviewStatus": ".living",
    "UpdateReport": ".living",
    "review_status": ".living",
    "update_search": ".living",
    "Extraction": ".extraction",
    "Outcome": ".extraction",
    "Study": ".extraction",
    "ValidationReport": ".extraction",
    "load_extracted": ".extraction",
    "validate_extracted": ".extraction",
    "EffectSizes": ".effects",
    "across_correlations": ".effects",
    "back_transform": ".effects",
    "ci_to_sd": ".effects",
    "conv_fivenum": ".effects",
    "crossover": ".effects",
    "escalc": ".effects",
    "paired": ".effects",
    "rescale": ".effects",
    "arm_effects": ".effects",
    "RowSpec": ".effects",
    "se_to_sd": ".effects",
    "Comparison": ".effects",
    "controlled_comparisons": ".effects",
    "later_timepoint_rows": ".effects",
    "Coefficient": ".meta",
    "CumulativeResult": ".meta",
    "EggerResult": ".meta",
    "GoshResult": ".meta",
    "InfluenceResult": ".meta",
    "LeaveOneOutResult": ".meta",
    "MetaResult": ".meta",
    "PermutationResult": ".meta",
    "SubgroupResult": ".meta",
    "cumulative": ".meta",
    "egger_test": ".meta",
    "fit": ".meta",
    "fit_many": ".meta",
    "gosh": ".meta",
    "influence": ".meta",
    "leave_one_out": ".meta",
    "meta_regression": ".meta",
    "permutation_test": ".meta",
    "subgroup": ".meta",
    "Heterogeneity": ".meta",
    "heterogeneity": ".meta",
    "arm_columns": ".plots",
    "bubble_plot": ".plots",
    "cumulative_plot": ".plots",
    "evidence_map": ".plots",
    "forest_plot": ".plots",
    "funnel_plot": ".plots",
    "leave_one_out_plot": ".plots",
    "prisma_diagram": ".plots",
    "save_figure": ".plots",
    "comparisons_plot": ".plots",
    "rob_summary_plot": ".plots",
    "rob_traffic_light": ".plots",
    "RobTable": ".appraisal",
    "load_rob": ".appraisal",
    "load_grade": ".appraisal",
    "grade_signals": ".appraisal",
    "summary_of_findings": ".appraisal",
    "harms_table": ".appraisal",
    "MapPoint": ".plots.evidence_map",
    "TrialRegion": ".plots.evidence_map",
    "Reference": ".plots.evidence_map",
    "TrialSituation": ".situate",
    "situate_trial": ".situate",
    "situation_summary": ".situate",
    "Review": ".project",
    "Analysis": ".project",
    "Covariate": ".project",
    "OisAssumptions": ".project",
    "load_review": ".project",
    "find_project": ".project",
    "init_project": ".project.init",
    "analysis_effects": ".project.analyses",
    "analysis_fit": ".project.analyses",
    "review_effects": ".project.analyses",
    "review_fit": ".project.analyses",
    "responder_effects": ".project.analyses",
    "responder_fit": ".project.analyses",
    "build_report": ".report",
    "evidence_points": ".report",
    "run_prisma": ".report",
    "run_review": ".report",
    "run_situate": ".report",
    "situation_map": ".report",
    "make_single_file": ".report_embed",
}


#: subpackages and modules reachable as attributes (``evsynth.meta.fit``) without an import
_SUBMODULES = frozenset({
    "cli", "config", "dedupe", "effects", "errors", "extraction", "imports", "living", "meta", "models",
    "output", "plots", "project", "queries", "report", "report_embed", "screening", "search", "situate", "sources", "store",
})


def __getattr__(name: str) -> Any:
    from importlib import import_module

    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # cache: the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
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
    from .sources.ids import file_ids, qualify_ids
    from .sources.writers import iter_written, write_records
    from .imports import (ImportResult, convert_file, export_store, export_store_to, import_files, read_files,
                          relabel_import)

    # dedupe -> screening -> living updates
    from .dedupe import (
        DedupeResult,
        DuplicateLink,
        ReviewPair,
        dedupe_files,
        dedupe_store,
        find_duplicates,
        read_review_sheet,
        store_pair_decisions,
        write_review_sheet,
    )
    from .screening import (
        PrismaCounts,
        cohen_kappa,
        export_sheet,
        import_decisions,
        prisma_counts,
        StudyLinks,
        link_studies,
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
        arm_effects,
        RowSpec,
        se_to_sd,
        Comparison,
        controlled_comparisons,
        later_timepoint_rows,
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
        Heterogeneity,
        heterogeneity,
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
        comparisons_plot,
        rob_summary_plot,
        rob_traffic_light,
    )
    from .appraisal import (
        RobTable,
        load_rob,
        load_grade,
        grade_signals,
        summary_of_findings,
        harms_table,
    )
    from .plots.evidence_map import MapPoint, Reference, TrialRegion
    from .situate import TrialSituation, situate_trial, situation_summary
    from .project import Analysis, Covariate, OisAssumptions, Review, find_project, load_review
    from .project.analyses import (
        analysis_effects,
        analysis_fit,
        responder_effects,
        responder_fit,
        review_effects,
        review_fit,
    )
    from .project.init import init_project
    from .report import (
        build_report,
        evidence_points,
        run_prisma,
        run_review,
        run_situate,
        situation_map,
    )
    from .report_embed import make_single_file

#: eager names first, then the lazy ones in pipeline order (search -> ... -> report)
__all__ = [
    "__version__",
    "Settings",
    "load_settings",
    "EvsynthError",
    "ExitCode",
    "InputError",
    "InputErrors",
    "NetworkError",
    "NotFoundError",
    "OutputError",
    "ServiceError",
    "StoreError",
    "Record",
    "SearchRun",
    *_LAZY,
]
