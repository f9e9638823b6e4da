"""The LLM layer: persona generation tiers and survey simulation over the ``openai`` SDK.

* :class:`LLMClient` talks to any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp)
  with bounded concurrency, retries, a durable SQLite :class:`ResponseCache` and token/cost
  accounting; :mod:`calib.llm.batch` runs the same jobs through the OpenAI Batch API or locally.
* :func:`sample_meta_personas` draws meta personas from a :class:`~calib.target.Target` (or any
  model with ``sample(n, seed)``); :func:`generate_personas` fills the objective-tabular,
  subjective-tabular and descriptive tiers from versioned templates and validates them.
* :func:`simulate_survey` asks :class:`Question` s in each persona's name (K samples,
  counterbalanced options, option probabilities) and returns a tidy :class:`ResponsesTable`;
  :func:`read_silicon_responses` turns the recorded silicon sample into the same table.

Nothing here touches the network at import time.
"""

from calib.llm.batch import BatchRunner, run_batch_file_locally, write_batch_jsonl
from calib.llm.cache import ResponseCache
from calib.llm.client import LLMClient, RunResult, RunStats
from calib.llm.config import Pricing, SamplingParams
from calib.llm.personas import PersonaSet, generate_personas, sample_meta_personas
from calib.llm.probabilities import OptionProbabilities, from_top_logprobs
from calib.llm.questions import Question, load_questions, pew2013_questions
from calib.llm.recorded import read_silicon_responses
from calib.llm.request import LLMRequest, LLMResponse
from calib.llm.responses import ResponsesTable
from calib.llm.simulate import simulate_survey
from calib.llm.workflow import SimulationRun, run_simulation

__all__ = [
    "BatchRunner",
    "LLMClient",
    "LLMRequest",
    "LLMResponse",
    "OptionProbabilities",
    "PersonaSet",
    "Pricing",
    "Question",
    "ResponseCache",
    "ResponsesTable",
    "RunResult",
    "RunStats",
    "SamplingParams",
    "SimulationRun",
    "from_top_logprobs",
    "generate_personas",
    "load_questions",
    "pew2013_questions",
    "read_silicon_responses",
    "run_batch_file_locally",
    "run_simulation",
    "sample_meta_personas",
    "simulate_survey",
    "write_batch_jsonl",
]
