"""GPU memory and time per method for the paper's setting, derived from measured tiny runs and parameter counts.

Nothing here is a GPU measurement (none was available). The estimate combines:

* **measured** on the tiny model (``results/unlearning.json``, ``results/scaling.json``): how many
  sequences each method pushes through the model per step, with and without gradients (a hook
  counted them), the tiny runs' step times and peak memory (used to check the formulas), and how
  the number of evaluation items grows with persons x events;
* **exact parameter counts** of LLaVA-1.5-7B, from its architecture built on PyTorch's ``meta``
  device (no weights, no download), and of the LoRA adapters ``pebench.model.lora`` puts on it;
* **stated assumptions** (``ASSUMPTIONS`` below: GPU peak throughput, utilisation, sequence length,
  bytes per activation), printed with the result so every number can be recomputed by hand.

    .venv/bin/python benchmarks/gpu_estimate.py      # after unlearning.py and scaling.py
"""

from __future__ import annotations

import json
import statistics

import numpy as np
import torch
from _common import RESULTS, start, table, write_result
from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

from pebench.model import parameter_counts
from pebench.model.lora import LoraSettings, apply_lora

GB = 1e9
ASSUMPTIONS = {
    "gpu": "NVIDIA H100 SXM 80 GB",
    "peak_bf16_flops": 989e12,  # dense bf16 tensor-core peak (datasheet)
    "hbm_bytes_per_s": 3.35e12,  # datasheet
    "mfu_training": 0.40,  # assumed model-FLOP utilisation of LoRA training steps (range 0.25-0.5)
    "mfu_prefill": 0.50,  # assumed for evaluation prefill
    "decode_bandwidth_share": 0.60,  # assumed share of HBM bandwidth reached while decoding
    "image_tokens": 576,  # LLaVA-1.5: (336 / 14)^2, CLS dropped
    "text_tokens": 40,  # assumed: BOS + USER/ASSISTANT prompt (~20) + answer with EOS (<= 20)
    "max_new_tokens": 24,  # pebench.inference.generate_answers default (worst case: no early EOS)
    "eval_batch": 64,  # pebench.recipe default (KV cache below)
    "global_batch": 32,  # pebench.recipe default
    "unlearn_steps": 40,  # UnlearnConfig default
    "activation_bytes_per_layer_token_hidden": 34,  # Korthikanti et al. 2022, bf16, fused attention (no s^2 term)
    "logit_bytes_per_position_vocab": 14,  # bf16 logits 2 + fp32 copy 4 + log-softmax 4 + its gradient 4
    "fixed_overhead_bytes": 3e9,  # CUDA context, cuBLAS workspace, allocator fragmentation
    "lora": "r=16 on q,k,v,o,gate,up,down of all 32 layers + trainable projector; gradient checkpointing",
}


def llava15_7b() -> LlavaForConditionalGeneration:
    """LLaVA-1.5-7B's architecture (CLIP ViT-L/14-336 + 2-layer MLP projector + Vicuna-7B) on ``meta``."""
    vision = CLIPVisionConfig(
        hidden_size=1024,
        intermediate_size=4096,
        num_hidden_layers=24,
        num_attention_heads=16,
        image_size=336,
        patch_size=14,
        projection_dim=768,
    )
    text = LlamaConfig(
        vocab_size=32064,
        hidden_size=4096,
        intermediate_size=11008,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        max_position_embeddings=4096,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_index=32000,
        vision_feature_select_strategy="default",
        vision_feature_layer=-2,
    )
    with torch.device("meta"):
        return LlavaForConditionalGeneration(config)


def tiny_dimensions() -> dict[str, float]:
    """Sizes of the default tiny model and its mean training sequence (for the memory check)."""
    from pebench.model import build_tiny_llava
    from pebench.pipeline import Pipeline
    from pebench.train.stages import finetuning_items

    pipeline = Pipeline()
    spec = pipeline.config.model
    items = finetuning_items(pipeline.dataset)[::7]
    lengths = [
        len(pipeline.encoder.prompt_ids(i.question) + pipeline.encoder.answer_ids(i.question, i.answer)) for i in items
    ]
    model = build_tiny_llava(pipeline.processor, spec, seed=0)  # same shapes as the trained one
    return {
        "sequence": statistics.mean(lengths),
        "patches": spec.image_tokens + 1,
        "vocab": len(pipeline.processor.tokenizer),
        "text_hidden": spec.text_hidden,
        "text_layers": spec.text_layers,
        "vision_hidden": spec.vision_hidden,
        "vision_layers": spec.vision_layers,
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main() -> None:
    start(1)
    a = ASSUMPTIONS
    measured = json.loads((RESULTS / "unlearning.json").read_text())
    scaling = json.loads((RESULTS / "scaling.json").read_text())
    batch = measured["config"]["batch_size"]

    model = llava15_7b()
    counts = parameter_counts(model)
    text_config, vision_config = model.config.text_config, model.config.vision_config
    h, layers, vocab = text_config.hidden_size, text_config.num_hidden_layers, text_config.vocab_size
    peft_model = apply_lora(model, LoraSettings(r=16, alpha=32, train_projector=True))
    lora_params = sum(p.numel() for n, p in peft_model.named_parameters() if p.requires_grad and "lora_" in n)
    projector = counts["multi_modal_projector"]

    # -- FLOPs per sequence -----------------------------------------------------------------------------
    s = a["image_tokens"] + a["text_tokens"]
    patches = a["image_tokens"] + 1
    lm_matmul = counts["language_model"] - vocab * h + counts["lm_head"]  # embedding lookup is no matmul
    f_lm = 2 * lm_matmul * s + 4 * layers * s * s * h
    f_vision = (
        2 * counts["vision_tower"] * patches
        + 4 * vision_config.num_hidden_layers * patches**2 * vision_config.hidden_size
    )
    f_projector = 2 * projector * a["image_tokens"]
    # LoRA + checkpointing: forward, recomputed forward, backward for activation gradients only (frozen
    # weights need no weight gradients) = 3 x forward in the language model; the frozen vision tower
    # runs forward once; the trained projector forward + backward = 3 x.
    f_grad = 3 * f_lm + f_vision + 3 * f_projector
    f_nograd = f_lm + f_vision + f_projector

    # -- memory per sequence with gradients ----------------------------------------------------------------
    checkpoints = layers * s * h * 2
    layer_work = a["activation_bytes_per_layer_token_hidden"] * s * h
    logits = a["logit_bytes_per_position_vocab"] * s * vocab
    per_grad_sequence = checkpoints + layer_work + logits
    # no-grad passes (the reference) hold their logits briefly: bf16 + fp32 copy + log-softmax
    per_nograd_sequence = 10 * s * vocab
    weights = counts["total"] * 2
    trainable_states = lora_params * 16 + projector * 8  # fp32 adapters: param+grad+2 Adam; bf16 projector copy

    # -- consistency checks against the tiny measurements ------------------------------------------------
    ga = next(r for r in measured["rows"] if r["method"] == "ga")
    checks = []
    for row in measured["rows"]:
        # tiny model, full fine-tuning, no checkpointing: grad pass = 3 x forward, no-grad pass = 1 x
        predicted = (3 * row["seq_grad_per_step"] + row["seq_nograd_per_step"]) / (3 * ga["seq_grad_per_step"])
        # the same count weighted by each pass's unpadded tokens: sequences of unequal length
        by_tokens = (3 * row["tokens_grad_per_step"] + row["tokens_nograd_per_step"]) / (3 * ga["tokens_grad_per_step"])
        checks.append(
            {
                "method": row["method"],
                "measured_step_vs_ga": row["s_per_step"] / ga["s_per_step"],
                "flop_model_step_vs_ga": predicted,
                "token_model_step_vs_ga": by_tokens,
            }
        )

    # The same memory formula at the tiny model's sizes (fp32, full fine-tuning, no checkpointing: all
    # layers' activations kept, 2 x the bf16 bytes) against the measured peak RSS increase.
    tiny = tiny_dimensions()
    act_fp32 = 2 * a["activation_bytes_per_layer_token_hidden"]
    tiny_per_sequence = (
        act_fp32 * tiny["text_layers"] * tiny["sequence"] * tiny["text_hidden"]
        + act_fp32 * tiny["vision_layers"] * tiny["patches"] * tiny["vision_hidden"]
        + 12 * tiny["sequence"] * tiny["vocab"]  # fp32 logits, log-softmax, gradient
    )
    for check, row in zip(checks, measured["rows"]):
        states = 12 * tiny["parameters"] + (4 * tiny["parameters"] if row["seq_nograd_per_step"] else 0)
        predicted = states + row["seq_grad_per_step"] * tiny_per_sequence
        check["tiny_rss_increase_mib_measured"] = row["peak_rss_increase_mib"]
        check["tiny_formula_mib"] = predicted / 2**20

    # Memory: the formula, and the formula's non-weight part scaled by the ratio measured/formula of
    # the tiny runs (median over methods), the allocator overheads and temporaries it does not count.
    calibration = statistics.median(c["tiny_rss_increase_mib_measured"] / c["tiny_formula_mib"] for c in checks)
    rows = []
    for row in measured["rows"]:
        g = row["seq_grad_per_step"] / batch  # sequences per step per batch element (measured)
        n = row["seq_nograd_per_step"] / batch
        flops = a["global_batch"] * (g * f_grad + n * f_nograd)
        step_1 = flops / (a["peak_bf16_flops"] * a["mfu_training"])
        reference = weights if n > 0 else 0  # a deep copy unless LoRA's shared_reference is on
        for gpus in (1, 8):
            sequences = g * a["global_batch"] / gpus
            transient = n * a["global_batch"] / gpus * per_nograd_sequence
            working = trainable_states + sequences * per_grad_sequence + transient
            formula = weights + working + a["fixed_overhead_bytes"]
            calibrated = weights + calibration * working + a["fixed_overhead_bytes"]
            rows.append(
                {
                    "method": row["method"],
                    "gpus": gpus,
                    "grad_seq/step": g * a["global_batch"],
                    "nograd_seq/step": n * a["global_batch"],
                    "TFLOP/step": flops / 1e12,
                    "s/step": step_1 / gpus,
                    "run_s (40 steps)": a["unlearn_steps"] * step_1 / gpus,
                    "GB/GPU formula": formula / GB,
                    "GB/GPU calibrated": calibrated / GB,
                    "GB/GPU calibrated, copied ref": (calibrated + reference) / GB,
                }
            )

    # -- evaluation of one model at 200 x 40 ------------------------------------------------------------------
    pairs = [r["persons"] * r["events"] for r in scaling["rows"]]
    slope, intercept = np.polyfit(pairs, [r["eval_items"] for r in scaling["rows"]], 1)
    eval_items = intercept + slope * 200 * 40
    prefill = eval_items * f_nograd / (a["peak_bf16_flops"] * a["mfu_prefill"])  # prompt + answer: upper bound
    kv_cache = a["eval_batch"] * (s + a["max_new_tokens"]) * 2 * layers * h * 2
    decode = (
        (eval_items / a["eval_batch"])
        * a["max_new_tokens"]
        * (weights + kv_cache)
        / (a["hbm_bytes_per_s"] * a["decode_bandwidth_share"])
    )
    finetune_steps = 300 + 1500  # pebench.recipe defaults (pretrain + finetune)
    finetune_s = finetune_steps * a["global_batch"] * f_grad / (a["peak_bf16_flops"] * a["mfu_training"])

    derived = {
        "parameters": counts,
        "lora_parameters": lora_params,
        "trainable_parameters": lora_params + projector,
        "sequence_tokens": s,
        "forward_tflop_per_sequence": f_nograd / 1e12,
        "grad_pass_tflop_per_sequence": f_grad / 1e12,
        "memory_calibration_factor": calibration,
        "weights_gb_bf16": weights / GB,
        "trainable_states_gb": trainable_states / GB,
        "activation_gb_per_grad_sequence": per_grad_sequence / GB,
        "activation_parts_gb": {
            "checkpoints": checkpoints / GB,
            "layer_recompute": layer_work / GB,
            "logits": logits / GB,
        },
        "eval_items_200x40": float(eval_items),
        "eval_kv_cache_gb": kv_cache / GB,
        "eval_seconds_1gpu": {"prefill": float(prefill), "decode": float(decode), "total": float(prefill + decode)},
        # pebench.metrics.likelihood_statistics runs teacher-forced batches of 256 with full-vocabulary
        # log-softmax: bf16 logits + fp32 copy + log-softmax per position
        "likelihood_batch256_logits_gb": 256 * s * vocab * 10 / GB,
        "finetune_seconds_1gpu": finetune_s,
        "full_finetune_states_gb": counts["total"] * 16 / GB,
    }
    print(table(rows, list(rows[0])))
    print()
    print(table(checks, list(checks[0])))
    print()
    for key, value in derived.items():
        print(f"{key}: {value}")
    print("\nassumptions:", json.dumps(ASSUMPTIONS, indent=1))
    path = write_result(
        "gpu_estimate",
        {
            "assumptions": ASSUMPTIONS,
            "derived": derived,
            "rows": rows,
            "checks": checks,
            "median_tiny_s_per_step": statistics.median(r["s_per_step"] for r in measured["rows"]),
        },
    )
    print(f"wrote {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
