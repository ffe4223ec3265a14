"""The models a fresh emulator has."""

from __future__ import annotations

from ollama_tui.emulator.models import FakeModel


def default_models() -> list[FakeModel]:
    return [
        FakeModel(
            "llama3.2:latest",
            parameter_size="3.2B",
            size=2_019_393_189,
            parameters=(
                'temperature                    0.7\nstop                           "<|eot_id|>"'
            ),
            capabilities=("completion", "tools"),
            load_seconds=1.2,
            prefill_tps=1400.0,
        ),
        FakeModel(
            "qwen3:8b",
            family="qwen3",
            size=5_225_388_164,
            capabilities=("completion", "tools", "thinking"),
            parameters=(
                "temperature                    0.6\n"
                "top_k                          20\n"
                "top_p                          0.95\n"
                'stop                           "<|im_start|>"\n'
                'stop                           "<|im_end|>"'
            ),
            context_length=40_960,
            load_seconds=2.6,
            prefill_tps=520.0,
            eval_tps=28.0,
        ),
        FakeModel(
            "llava:7b",
            size=4_733_363_377,
            parameter_size="7B",
            quantization="Q4_0",
            capabilities=("completion", "vision"),
            load_seconds=2.4,
            prefill_tps=600.0,
            eval_tps=31.0,
        ),
        FakeModel(
            "nomic-embed-text:latest",
            family="nomic-bert",
            parameter_size="137M",
            quantization="F16",
            size=274_302_450,
            capabilities=("embedding",),
            context_length=2048,
            load_seconds=0.4,
            prefill_tps=5000.0,
        ),
    ]
