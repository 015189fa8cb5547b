import pytest

CHECK_IN = {
    "done_well-0": "Made coffee", "done_well-1": "Listened", "done_well-2": "",
    "could_be_better-0": "Less phone", "could_be_better-1": "",
    "will_change": "Walk on Sunday", "connected": "6", "therapist_only": "I feel lonely sometimes",
}


@pytest.fixture
def couple_with_links(app, make):
    """A therapist, a couple, a session, a check-in for each partner, and each partner's link."""
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple, modules=["weekly-check-in"])
    made = make.assignment(couple, session=session)
    ana, sam = couple.partners
    return {"therapist": therapist, "couple": couple, "session": session, "ana": ana, "sam": sam,
            "ana_hw": made[0], "sam_hw": made[1], "ana_token": make.link(ana), "sam_token": make.link(sam)}
