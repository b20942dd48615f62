"""SIU, Single Image Unlearning (Li et al., 2024, the MMUBench paper), in our reading.

One of the paper's six methods (its Table 1). SIU fine-tunes on constructed data that re-associates
the forgotten concept's images with an *unseen* concept, and keeps the rest of the output
distribution close to the original model with a Dual Masked KL term (DMK):

.. math::

    L = \\mathrm{NLL}(\\tilde y \\mid x) + \\lambda_r\\,\\mathrm{NLL}(\\text{retain})
        + \\lambda_{kl}\\,\\frac{1}{|T|}\\sum_{t\\in T}
          \\mathrm{KL}\\big(\\tilde\\pi_\\text{ref}(\\cdot\\mid x,\\tilde y_{<t}) \\,\\big\\|\\,
          \\tilde\\pi(\\cdot\\mid x,\\tilde y_{<t})\\big),

with :math:`\\tilde y` the substitute answer, :math:`T` its positions and :math:`\\tilde\\pi` a
next-word distribution renormalised over the vocabulary *without* the forgotten concept's words
(the vocabulary-level mask: the original model puts its mass on exactly those words, and matching
it there would undo the forgetting).

What we had to choose, since SIU was built for real persons with sentence answers:

* **The unseen concept** is the forgotten answer's words in reverse order ("stiton dahais" becomes
  "dahais stiton"): a name or description that no person or event of the data has, made of the
  forgotten concept's own words, so re-associating it touches no other concept. SIU's other targets
  (a new visual description, decoupled facts, preserved non-target knowledge) map to this substitute,
  to nothing (our persons have no facts) and to the retain term.
* **The token-level mask** of DMK leaves out the answer positions that contradict the original
  knowledge inside a sentence; our answers are the bare concept, with no sentence around it, so every
  answer position stays and the vocabulary-level mask alone removes the concept.
"""

from __future__ import annotations

import torch

from pebench.encoding import IGNORE_INDEX, Example
from pebench.train.stages import nll_loss
from pebench.unlearn.base import Batch, UnlearnBatch, UnlearningMethod, check_non_negative


def substitute_answer(answer: str) -> str:
    """The unseen concept SIU re-associates the images with: the answer's words in reverse order."""
    return " ".join(reversed(answer.split()))


def concept_vocabulary(batch: Batch, vocabulary_size: int) -> torch.Tensor:
    """``[batch, vocabulary]`` mask of each answer's own words (its end-of-answer token excluded)."""
    labels = batch["labels"]
    answer = labels != IGNORE_INDEX
    last = answer.cumsum(-1) == answer.sum(-1, keepdim=True)  # the final labelled position and after
    words = answer & ~last
    mask = torch.zeros(labels.shape[0], vocabulary_size, dtype=torch.bool, device=labels.device)
    return mask.scatter_(1, torch.where(words, labels, 0), words)


def masked_answer_kl(
    model: torch.nn.Module, reference: torch.nn.Module, batch: Batch, hidden: torch.Tensor
) -> torch.Tensor:
    """Mean over answer positions of KL(reference || model), both renormalised without ``hidden`` words."""
    inputs = {key: value for key, value in batch.items() if key != "labels"}
    logits = model(**inputs).logits[:, :-1].float()
    with torch.no_grad():
        reference_logits = reference(**inputs).logits[:, :-1].float()
    hide = hidden[:, None, :]
    log_p = torch.log_softmax(logits.masked_fill(hide, float("-inf")), dim=-1)
    log_q = torch.log_softmax(reference_logits.masked_fill(hide, float("-inf")), dim=-1)
    per_word = torch.where(hide, 0.0, log_q.exp() * (log_q - log_p))
    positions = (batch["labels"][:, 1:] != IGNORE_INDEX).float()
    return (per_word.sum(-1) * positions).sum() / positions.sum().clamp(min=1.0)


class SingleImageUnlearning(UnlearningMethod):
    r"""Single Image Unlearning :cite:p:`li2024siu`, in our reading (the module's docstring says what we
    chose): re-associate the forget images with a substitute answer :math:`\tilde y` (the answer's
    words reversed), keep the output distribution close to the frozen model's off the concept's words.

    .. math::

        \mathcal{L}(\theta) = \mathcal{L}_\mathrm{NLL}(\theta; \tilde B_f)
            + \kappa\,\frac{1}{|\tilde T_f|}\sum_{t \in \tilde T_f}
              \mathrm{KL}\big(\tilde\pi_\mathrm{ref}(\cdot \mid x, \tilde y_{<t}) \,\big\|\,
              \tilde\pi_\theta(\cdot \mid x, \tilde y_{<t})\big)
            + \lambda\,\mathcal{L}_\mathrm{NLL}(\theta; B_r)

    with :math:`\tilde\pi` a next-token distribution renormalised without the forgotten answer's
    words (the Dual Masked KL) and :math:`\tilde T_f` the substitute answers' positions;
    ``kl_weight`` is :math:`\kappa`, ``retain_weight`` is :math:`\lambda`.
    """

    name = "siu"
    label = "SIU"
    colour = "#5254a3"  # tab20b indigo: the ten C0-C9 colours are taken (C7, grey, marks references)
    uses_retain = True
    uses_reference = True

    def __init__(self, kl_weight: float = 1.0, retain_weight: float = 1.0) -> None:
        super().__init__(retain_weight=retain_weight)
        self.kl_weight = check_non_negative("kl_weight", kl_weight)

    def alternatives(self, examples: list[Example], kinds: list[str], seed: int) -> list[Example]:
        return [Example(e.image_id, e.question, substitute_answer(e.answer)) for e in examples]

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        substitute = batch.alternative
        realign = nll_loss(model, substitute)
        if not self.kl_weight:
            return realign
        vocabulary = model.get_output_embeddings().weight.shape[0]
        hidden = concept_vocabulary(batch.forget, vocabulary)
        return realign + self.kl_weight * masked_answer_kl(model, self.reference, substitute, hidden)

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.retain)
