//! Invented names and note texts. Notes are put together from sentence templates whose gaps
//! are filled from word lists, so texts vary the way a real contact log does (different
//! lengths, subjects, people and places) and full-text search meets a realistic spread of
//! words. Nobody named here is a real person.

use rand::Rng;
use rand::seq::SliceRandom;

/// A word placed in a fixed share of notes, so a search for it has a known answer.
pub const RARE_WORD: &str = "kestrel";
/// One note in this many holds [`RARE_WORD`].
pub const RARE_WORD_ONE_IN: u32 = 100;

pub const GIVEN_NAMES: &[&str] = &[
    "Amara", "Ben", "Chloe", "Dawit", "Eilidh", "Farah", "George", "Hana", "Isaac", "Jade", "Kofi", "Leah", "Mohammed", "Niamh",
    "Oliver", "Priya", "Quinn", "Rhys", "Sofia", "Tariq", "Una", "Viktor", "Wiktoria", "Xander", "Yusuf", "Zoë", "Aled",
    "Bethan", "Callum", "Deepa", "Erin", "Fraser", "Grace", "Hamza", "Imogen", "Jamal", "Kayleigh", "Liam", "Maya", "Nathan",
    "Orla", "Patrick", "Rosie", "Samir", "Tegan", "Umar", "Vanessa", "Wesley", "Yasmin", "Zak", "Aisha", "Bartek", "Ciara",
    "Darius", "Elena", "Femi", "Gwen", "Harvey", "Ines", "Joel",
];

pub const FAMILY_NAMES: &[&str] = &[
    "Adeyemi",
    "Baxter",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fitzgerald",
    "Gallagher",
    "Hughes",
    "Iqbal",
    "Jenkins",
    "Kowalski",
    "Lloyd",
    "MacLeod",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quigley",
    "Robertson",
    "Singh",
    "Thomas",
    "Uddin",
    "Vaughan",
    "Walsh",
    "Yilmaz",
    "Zielinski",
    "Ahmed",
    "Brennan",
    "Campbell",
    "Doherty",
    "Ellis",
    "Fraser",
    "Grant",
    "Hassan",
    "Ibrahim",
    "Jones",
    "Kaur",
    "Lewis",
    "Mensah",
    "Nolan",
    "Okafor",
    "Price",
    "Reid",
    "Shah",
    "Taylor",
    "Usman",
    "Varga",
    "Williams",
    "Young",
    "Begum",
    "Clarke",
    "Dunn",
    "Edwards",
    "Foster",
    "Gill",
    "Hall",
    "Jackson",
    "Khan",
    "Morgan",
    "Murphy",
    "Novak",
];

const PEOPLE: &[&str] = &[
    "their mother",
    "their father",
    "their key worker",
    "the GP",
    "the school nurse",
    "their supervisor",
    "the duty manager",
    "their partner",
    "their advocate",
    "the wing officer",
    "the social worker",
    "the educational supervisor",
    "the health visitor",
    "their foster carer",
    "their grandmother",
    "the probation officer",
    "the clinical lead",
    "the interpreter",
    "the housing officer",
    "their solicitor",
];

const PLACES: &[&str] = &[
    "at home",
    "at the office",
    "on the wing",
    "at school",
    "at the family centre",
    "by video call",
    "at the hospital",
    "at the contact centre",
    "in the interview room",
    "at the library",
    "at the GP surgery",
    "at the court",
    "in the visits hall",
    "at the community hub",
    "at the training unit",
];

const TOPICS: &[&str] = &[
    "sleep and routine",
    "housing",
    "money worries",
    "the care plan",
    "school attendance",
    "contact arrangements",
    "alcohol use",
    "medication",
    "the upcoming hearing",
    "exam preparation",
    "workload and rota",
    "wellbeing",
    "family relationships",
    "safety at home",
    "the referral to counselling",
    "employment",
    "benefits",
    "the assessment outcome",
    "peer support",
    "bereavement",
    "harm reduction",
    "relapse prevention",
    "the complaint",
    "the body's response",
    "their less-than-full-time training request",
    "the risk assessment",
];

const FEELINGS: &[&str] = &[
    "calm",
    "anxious",
    "tired",
    "hopeful",
    "frustrated",
    "engaged",
    "withdrawn",
    "upset",
    "positive",
    "guarded",
    "relieved",
    "tearful",
    "motivated",
    "distracted",
    "settled",
];

const ACTIONS: &[&str] = &[
    "book a follow-up appointment",
    "send the leaflet on local support",
    "speak to the manager",
    "update the risk assessment",
    "chase the outstanding form",
    "write to the GP",
    "arrange a joint visit",
    "check the release date",
    "review the plan",
    "refer to the family support team",
    "confirm consent in writing",
    "share the outcome with the programme director",
    "request the missing information",
    "arrange an interpreter",
    "record the decision on file",
];

const OPENINGS: &[&str] = &[
    "Met with {name} {place}.",
    "Telephone call with {name}.",
    "{name} attended as arranged {place}.",
    "Home visit: {name} and {person} were present.",
    "Email received from {person} about {name}.",
    "Supervision discussion about {name}'s case.",
    "Unplanned contact: {name} asked to speak to someone {place}.",
    "Short catch-up with {name} {place}.",
    "Reviewed the file before meeting {name}.",
    "Case discussion with {person}.",
];

const MIDDLES: &[&str] = &[
    "We talked about {topic}.",
    "{name} said they felt {feeling} about {topic}.",
    "{person} raised concerns about {topic}.",
    "{name} presented as {feeling} and engaged well.",
    "Discussed {topic} and what support would help.",
    "{name} would like more help with {topic}.",
    "No new concerns about {topic} were raised.",
    "{person} confirmed the arrangements for {topic}.",
    "Explained the process and next steps; {name} understood and agreed.",
    "{name} was {feeling} at first and then more open about {topic}.",
    "Progress on {topic} since the last contact.",
    "Consent to share with {person} was discussed and recorded.",
];

const CLOSINGS: &[&str] = &[
    "Action: {action}.",
    "Agreed to {action} by the end of the week.",
    "I will {action} and update the record.",
    "Next contact in two weeks; will {action} before then.",
    "No further action today.",
    "Manager informed; will {action}.",
];

fn pick<'a, R: Rng>(rng: &mut R, list: &[&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or_default()
}

/// Fills a template's gaps.
fn fill<R: Rng>(rng: &mut R, template: &str, name: &str, topics: &[&str]) -> String {
    let mut text = template.replace("{name}", name);
    if text.contains("{place}") {
        text = text.replace("{place}", pick(rng, PLACES));
    }
    if text.contains("{person}") {
        text = text.replace("{person}", pick(rng, PEOPLE));
    }
    if text.contains("{topic}") {
        let topic = if !topics.is_empty() && rng.gen_bool(0.5) { pick(rng, topics) } else { pick(rng, TOPICS) };
        text = text.replace("{topic}", topic);
    }
    if text.contains("{feeling}") {
        text = text.replace("{feeling}", pick(rng, FEELINGS));
    }
    if text.contains("{action}") {
        text = text.replace("{action}", pick(rng, ACTIONS));
    }
    capitalise(text)
}

fn capitalise(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// A note about `name`: an opening, one to four middle sentences and usually an action.
/// One note in [`RARE_WORD_ONE_IN`] mentions [`RARE_WORD`]. `topics` are the service's own
/// subjects (its stages and forms), mixed in with the common ones.
pub fn note<R: Rng>(rng: &mut R, name: &str, topics: &[&str]) -> String {
    let opening = pick(rng, OPENINGS);
    let mut sentences = vec![fill(rng, opening, name, topics)];
    for _ in 0..rng.gen_range(1..=4) {
        let middle = pick(rng, MIDDLES);
        sentences.push(fill(rng, middle, name, topics));
    }
    if rng.gen_ratio(1, RARE_WORD_ONE_IN) {
        sentences.push(format!("{name} mentioned the {RARE_WORD} poster in the waiting area."));
    }
    if rng.gen_bool(0.8) {
        let closing = pick(rng, CLOSINGS);
        sentences.push(fill(rng, closing, name, topics));
    }
    sentences.join(" ")
}

/// A one-line phrase, for short answers and titles.
pub fn phrase<R: Rng>(rng: &mut R, topics: &[&str]) -> String {
    let topic = if !topics.is_empty() && rng.gen_bool(0.5) { pick(rng, topics) } else { pick(rng, TOPICS) };
    capitalise(format!("{} {topic}", pick(rng, &["Support with", "Concerns about", "Plan for", "Review of", "Update on"])))
}

/// An action, for tasks and plan objectives.
pub fn action<R: Rng>(rng: &mut R) -> String {
    capitalise(pick(rng, ACTIONS).to_owned())
}

/// A feeling, for answers that describe how someone presented.
pub fn feeling<R: Rng>(rng: &mut R) -> &'static str {
    pick(rng, FEELINGS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn notes_vary_and_every_gap_is_filled() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let notes: Vec<String> = (0..200).map(|_| note(&mut rng, "Amara", &["the triage meeting"])).collect();
        assert!(notes.iter().all(|n| !n.contains('{') && !n.contains('}')));
        assert!(notes.iter().filter(|n| n.contains("Amara")).count() > 150, "most notes name the person");
        let distinct: std::collections::BTreeSet<&String> = notes.iter().collect();
        assert!(distinct.len() > 190, "notes repeat too often");
        let lengths: Vec<usize> = notes.iter().map(String::len).collect();
        assert!(lengths.iter().max() > Some(&(lengths.iter().min().copied().unwrap_or_default() * 2)));
    }
}
